/**
 * JSON over HTTPS to the Kubernetes API, authenticated by a KubeConfig.
 *
 * The typed clients of @kubernetes/client-node re-serialize objects through their models, which drops
 * fields the models spell differently (`x-kubernetes-*`, `$ref`, ...). A diff-and-apply client must send
 * manifests byte for byte, so it speaks plain JSON and borrows only the authentication of the KubeConfig
 * (certificates, tokens, exec plugins such as `aws eks get-token`).
 */
import type { IncomingMessage } from 'node:http';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const CONTENT_TYPES = {
  json: 'application/json',
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  jsonPatch: 'application/json-patch+json',
} as const;

export interface ApiRequest {
  readonly path: string;
  /** @default 'GET' */
  readonly method?: HttpMethod;
  /** @default - no query string */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** @default - no body */
  readonly body?: unknown;
  /** @default CONTENT_TYPES.json */
  readonly contentType?: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** The API server's answer to a failed request: its HTTP code and its Status reason and message. */
export class ApiError extends Error {
  public constructor(
    public readonly code: number,
    public readonly reason: string,
    message: string,
    public readonly status?: KubernetesStatus,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface KubernetesStatus {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string }[] };
}

/** A request that never reached an answer: refused, reset, timed out. Worth retrying. */
export class ConnectionError extends Error {
  public constructor(
    public readonly server: string,
    cause: Error,
  ) {
    super(`cannot reach the API server at ${server}: ${cause.message}`, { cause });
    this.name = 'ConnectionError';
  }
}

export class ApiClient {
  public static fromKubeConfig(kc: KubeConfig): ApiClient {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new Error(
        `the kubeconfig has no current cluster (context "${kc.getCurrentContext()}"); pick one with --context`,
      );
    }
    return new ApiClient(kc, cluster.server.replace(/\/+$/, ''));
  }

  private constructor(
    public readonly kubeConfig: KubeConfig,
    public readonly server: string,
  ) {}

  /** Sends one request and parses the JSON answer; rejects with ApiError or ConnectionError. */
  public async request<T>(req: ApiRequest): Promise<T> {
    const res = await this.send(req);
    const text = await readBody(res);
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if ((res.statusCode ?? 0) >= 400) {
      throw toApiError(res.statusCode ?? 0, parsed, text);
    }
    return parsed as T;
  }

  /** Sends a request and hands back the open response, for watches that stream line-delimited events. */
  public async stream(req: ApiRequest, signal?: AbortSignal): Promise<IncomingMessage> {
    const res = await this.send({ ...req, timeoutMs: req.timeoutMs ?? 0 }, signal);
    if ((res.statusCode ?? 0) >= 400) {
      const text = await readBody(res);
      throw toApiError(res.statusCode ?? 0, text ? (JSON.parse(text) as unknown) : undefined, text);
    }
    return res;
  }

  private async send(req: ApiRequest, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.server + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const options: HttpsRequestOptions = {
      method: req.method ?? 'GET',
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': req.contentType ?? CONTENT_TYPES.json }),
      },
      signal,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const send = url.protocol === 'http:' ? httpRequest : request;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send(url, options, resolve);
      const timeoutMs = req.timeoutMs ?? 30_000;
      if (timeoutMs > 0) {
        outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs}ms`)));
      }
      outgoing.on('error', (error) =>
        reject(signal?.aborted ? error : new ConnectionError(this.server, error)),
      );
      outgoing.end(body);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function toApiError(code: number, parsed: unknown, text: string): ApiError {
  const status = parsed as KubernetesStatus | undefined;
  if (status?.kind === 'Status') {
    return new ApiError(code, status.reason ?? 'Unknown', status.message ?? text, status);
  }
  return new ApiError(code, 'Unknown', text.trim() || `HTTP ${code}`);
}
