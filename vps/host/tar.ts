/** One file of a bundle: a relative path, its text, and its mode. */
export interface BundleFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(file: BundleFile, size: number): Buffer {
  if (Buffer.byteLength(file.path) > 100 || file.path.startsWith("/") || file.path.includes("..")) {
    throw new Error(`bundle path "${file.path}" must be relative, without "..", at most 100 bytes`);
  }
  const h = Buffer.alloc(BLOCK, 0);
  h.write(file.path, 0, 100, "utf8");
  h.write(octal(file.mode, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii"); // mtime: fixed, so the same files give the same bytes
  h.write("        ", 148, "ascii"); // checksum placeholder
  h.write("0", 156, "ascii"); // regular file
  h.write("ustar\0" + "00", 257, "ascii");
  h.write("root", 265, "ascii");
  h.write("root", 297, "ascii");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

/**
 * Packs files into a POSIX ustar archive, deterministically: same files, same
 * bytes, so the archive's hash is what triggers a new provisioning run.
 */
export function packTar(files: readonly BundleFile[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  for (const file of sorted) {
    const body = Buffer.from(file.content, "utf8");
    parts.push(
      header(file, body.length),
      body,
      Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK, 0),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
