export interface CorruptChildConfig { readonly mode: 'corrupt' }
export async function runCorruptChild(_cfg: CorruptChildConfig): Promise<number> { return 0; }
