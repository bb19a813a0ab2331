/**
 * Checks an answer of the platform against the OpenAPI document the platform itself serves: the
 * schema of the operation and status. Answer schemas are strict (`additionalProperties: false`),
 * so a field the server sends but the contract does not declare fails, and so does a declared
 * field that is missing, a wrong type, or a status the operation does not document. The e2e
 * client (platform.ts) runs it on every JSON answer, so the contract cannot drift unseen.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { default as addFormats } from 'ajv-formats';
import { pollUntil } from './poll.js';

interface Operation {
  readonly responses: Record<string, { content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
}

export interface AnswerCheck {
  /** Throws, naming the operation and what is wrong, when the answer breaks the contract. */
  (method: string, path: string, status: number, body: unknown): void;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * The platform's document. The gateway assembles it from its upstreams, and answers 503 while one
 * of them is (re)starting: that is waited out.
 */
async function documentOf(url: string): Promise<OpenApiDocument> {
  let last = '';
  const document = pollUntil(
    async () => {
      const response = await fetch(`${url}/openapi.json`).catch((error: unknown) => {
        last = String(error);
        return undefined;
      });
      if (response?.ok) return (await response.json()) as OpenApiDocument;
      if (response) last = `${response.status} ${await response.text()}`;
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `GET ${url}/openapi.json` },
  );
  return document.catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; it last answered ${last}`);
  });
}

/** Fetches the platform's document and returns a check of answers against it. */
export async function answerCheckFor(url: string): Promise<AnswerCheck> {
  const document = await documentOf(url);
  // The document is one schema resource: `#/components/schemas/…` inside it resolve against it.
  const ajv = new Ajv({ strict: false, discriminator: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  const routes = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const compiled = new Map<string, ValidateFunction>();

  return (method, path, status, body) => {
    const bare = path.split('?')[0] ?? path;
    // A static path beats a template (/v1/recalls/mock over /v1/recalls/{recallId}).
    const route =
      routes.find((candidate) => candidate.template === bare) ??
      routes.find((candidate) => candidate.pattern.test(bare));
    const operation = route && document.paths[route.template]?.[method.toLowerCase()];
    if (!route || !operation) return; // not an API operation: the console, a 404 for no route
    const where = `${method} ${route.template} → ${status}`;
    const answer = operation.responses[String(status)];
    if (!answer) throw new Error(`${where}: the document does not list this status`);
    if (!answer.content?.['application/json']) return;
    const ref = pointer('paths', route.template, method.toLowerCase(), 'responses');
    const key = `${ref}/${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      const schema = `openapi#/${ref}/${status}/content/application~1json/schema`;
      validate = ajv.compile({ $ref: schema });
      compiled.set(key, validate);
    }
    if (!validate(body)) {
      const problems = (validate.errors ?? [])
        .map(
          (error) =>
            `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
        )
        .join('; ');
      throw new Error(`${where}: the answer breaks its schema: ${problems}`);
    }
  };
}
