/**
 * Base64 for the typed arrays of SLO snapshots: a full minute ring is ~100 KB of doubles, which as a JSON number
 * array would be three times larger and slow to parse. Bytes are in platform order (little-endian on every platform
 * Node runs on); `btoa`/`atob` are the web-standard globals, so the engine imports nothing from node:.
 */
export function encodeBytes(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let binary = '';
  // fromCharCode takes its bytes as arguments: chunks keep the argument count far below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Decodes {@link encodeBytes} output into a fresh, 8-byte-aligned buffer that any typed array can view. */
export function decodeBytes(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}
