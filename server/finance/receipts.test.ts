import { describe, expect, it } from "vitest";
import { formatMoney } from "./money";
import { MAX_RECEIPT_BYTES, receiptFileName, receiptRefusal, sniffReceiptType } from "./receipts";
import { EXE, HEIC, HTML, JPEG, PDF, PNG } from "./test-files";

const heif = (brand: string) =>
  Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`), Buffer.alloc(12)]);

describe("receipt types come from the bytes", () => {
  it("knows PDF, PNG, JPEG and the HEIF family by their signatures", () => {
    expect(sniffReceiptType(PDF)).toBe("application/pdf");
    expect(sniffReceiptType(PNG)).toBe("image/png");
    expect(sniffReceiptType(JPEG)).toBe("image/jpeg");
    expect(sniffReceiptType(HEIC)).toBe("image/heic");
    expect(sniffReceiptType(heif("mif1"))).toBe("image/heif");
    expect(sniffReceiptType(heif("hevc"))).toBe("image/heic");
  });

  it("knows nothing else: programs, web pages, SVG, MP4 (ftyp but not HEIF), truncated signatures", () => {
    for (const bytes of [
      EXE,
      HTML,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      heif("isom"),
      PNG.subarray(0, 7),
      Buffer.from("%PD"),
    ])
      expect(sniffReceiptType(bytes)).toBeNull();
  });

  it("refuses empty, oversized and unknown files with the HTTP status to answer", () => {
    expect(receiptRefusal(new Uint8Array())).toMatchObject({ reason: "empty", status: 400 });
    expect(receiptRefusal(Buffer.concat([PNG, Buffer.alloc(MAX_RECEIPT_BYTES)]))).toMatchObject({
      reason: "too_large",
      status: 413,
    });
    expect(receiptRefusal(HTML)).toMatchObject({ reason: "unsupported_type", status: 415 });
    expect(receiptRefusal(Buffer.concat([PNG, Buffer.alloc(MAX_RECEIPT_BYTES - PNG.length)]))).toBeNull();
  });
});

describe("receipt file names", () => {
  it("keeps the last path segment, drops control characters, and fits the extension to the type", () => {
    expect(receiptFileName("C:\\Users\\bob\\receipt.pdf", "image/png")).toBe("receipt.png");
    expect(receiptFileName("../../etc/passwd", "application/pdf")).toBe("passwd.pdf");
    expect(receiptFileName("taxi\u0000\r\n.JPEG", "image/jpeg")).toBe("taxi.jpeg");
    expect(receiptFileName("", "image/heic")).toBe("receipt.heic");
    expect(receiptFileName(".hidden", "application/pdf")).toBe(".hidden.pdf");
  });
});

describe("money", () => {
  it("reads as people write it", () => {
    expect(formatMoney(4250, "EUR")).toBe("€42.50");
    expect(formatMoney(120_000n, "EUR")).toBe("€1,200.00");
    expect(formatMoney(5, "USD")).toBe("$0.05");
  });
});
