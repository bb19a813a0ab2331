/**
 * The API client: every call carries the signed-in key; a 401 drops the key and returns the
 * console to sign-in (what the console shows is exactly what the API lets that key read).
 */
const KEY_STORAGE = 'suyuan.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_STORAGE);

let onUnauthorized: () => void = () => undefined;
/** What to do when the API refuses the key (the app shows sign-in again). */
export const whenUnauthorized = (handler: () => void): void => {
  onUnauthorized = handler;
};

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${storedKey() ?? ''}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    forgetKey();
    onUnauthorized();
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiError(response.status, body.message ?? `HTTP ${response.status}`);
  }
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await call(path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

export async function getBlob(path: string): Promise<Blob> {
  return (await call(path)).blob();
}

/** Checks a key without keeping it unless the API accepts it. */
export async function tryKey(key: string): Promise<boolean> {
  const response = await fetch('/v1/recalls?status=open', {
    headers: { authorization: `Bearer ${key}` },
  });
  return response.status !== 401;
}
