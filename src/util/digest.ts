/** SHA-256 as lowercase hex (Web Crypto: the same in Node and the page). */
export const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
export const sha256 = async (data: ArrayBuffer | Uint8Array) => hex(await crypto.subtle.digest('SHA-256', data as BufferSource));
