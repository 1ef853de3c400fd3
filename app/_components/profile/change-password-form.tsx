"use client";

import { PASSWORD_HINT } from "@/server/auth/password-rules";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";

const FIELDS = ["currentPassword", "newPassword"] as const;

/** Changing the password also signs out every other session (the server does both). */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const profile = useQuery(trpc.profile.get.queryOptions());
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const change = useMutation(
    trpc.profile.changePassword.mutationOptions({
      onSuccess: async () => {
        setCurrentPassword("");
        setNewPassword("");
        await queryClient.invalidateQueries({ queryKey: trpc.profile.sessions.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.profile.get.queryKey() });
      },
    }),
  );
  const errors = formErrors(change.error, FIELDS);
  // Accounts created through single sign-on have no password yet and may set one.
  const hasPassword = profile.data?.hasPassword ?? true;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    change.mutate({ currentPassword, newPassword });
  }

  const ended = change.data?.otherSessionsEnded ?? 0;
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      {hasPassword ? (
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrentPassword(e.target.value)}
          error={errors.fields.currentPassword}
        />
      ) : null}
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        value={newPassword}
        onChange={(e) => setNewPassword(e.target.value)}
        hint={PASSWORD_HINT}
        error={errors.fields.newPassword}
      />
      <Alert>{errors.form}</Alert>
      {change.isSuccess ? (
        <Alert tone="success">
          Your password was changed.{" "}
          {ended === 0
            ? "No other sessions were open."
            : `${ended} other ${ended === 1 ? "session was" : "sessions were"} signed out.`}
        </Alert>
      ) : null}
      <Button type="submit" pending={change.isPending}>
        {hasPassword ? "Change password" : "Set password"}
      </Button>
    </form>
  );
}
