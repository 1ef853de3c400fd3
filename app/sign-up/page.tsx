import type { Metadata } from "next";
import Link from "next/link";
import { AuthShell } from "@/app/_components/auth-shell";
import { SignUpForm } from "@/app/_components/auth/sign-up-form";
import { linkClass } from "@/app/_components/ui/styles";
import { TRPCProvider } from "@/app/_lib/trpc";

export const metadata: Metadata = { title: "Create your account" };

export default function SignUpPage() {
  return (
    <AuthShell
      title="Create your Tenet account"
      description="Set up your account and your company's tenant. You will be its owner."
      footer={
        <>
          Already have an account?{" "}
          <Link href="/sign-in" className={linkClass}>
            Sign in
          </Link>
        </>
      }
    >
      <TRPCProvider>
        <SignUpForm />
      </TRPCProvider>
    </AuthShell>
  );
}
