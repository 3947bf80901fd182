import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../server/router.ts';
import type { RouterInputs, RouterOutputs } from '../trpc.ts';

export type UploadedImage = RouterOutputs['chat']['uploadImage'];

/**
 * Calls `chat.uploadImage` through XMLHttpRequest, the one browser API that reports upload progress (fetch
 * cannot): the same procedure, URL and JSON the typed client sends for a single call, so the typed router stays
 * the API. Errors come back as the typed client's, so they are described the same way.
 */
export function uploadImage(
  input: RouterInputs['chat']['uploadImage'],
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<UploadedImage> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/trpc/chat.uploadImage');
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { result?: { data: UploadedImage }; error?: unknown } | null;
      if (body?.result) return resolve(body.result.data);
      reject(
        body?.error
          ? TRPCClientError.from<AppRouter>({ error: body.error } as Parameters<
              typeof TRPCClientError.from
            >[0])
          : TRPCClientError.from<AppRouter>(new Error(`Upload failed with HTTP ${xhr.status}`)),
      );
    };
    xhr.onerror = () => reject(TRPCClientError.from<AppRouter>(new Error('The upload was cut off')));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(JSON.stringify(input));
  });
}

/** A file as base64 (what the procedure takes, as avatars do). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}
