/**
 * An endpoint's URL and its quick-start samples (cURL, the OpenAI Python SDK, the OpenAI JavaScript
 * SDK; non-streaming and streaming), written as Arkor Studio's Quick start writes them
 * (docs/wire-protocol.md, "Deployments"): the prompt is `Hello!`, `model` is `"ignored"` (the
 * deployment pins its target), a key line only for auth mode `fixed_api_key`, and for `none` a
 * placeholder key with the comment that the SDKs need a non-empty value.
 */
import type { Deployment, DeploymentAuthMode } from '../wire';

export type SampleLanguage = 'curl' | 'python' | 'javascript';
export const SAMPLE_LANGUAGES: readonly { id: SampleLanguage; label: string }[] = [
  { id: 'curl', label: 'cURL' },
  { id: 'python', label: 'Python (OpenAI SDK)' },
  { id: 'javascript', label: 'JavaScript (OpenAI SDK)' },
];

/** What the samples put where the key goes when none is given. */
export const API_KEY_PLACEHOLDER = 'YOUR_API_KEY';
const NO_KEY = 'not-required';

/**
 * The OpenAI base URL (ending in `/v1`) of a deployment: the one the local backend reports, else
 * Arkor Cloud's `https://<slug>.arkor.app/v1`.
 */
export function deploymentBaseUrl(d: Pick<Deployment, 'slug' | 'baseUrl'>): string {
  return d.baseUrl ?? `https://${d.slug}.arkor.app/v1`;
}

/** The full chat completions URL, as cURL needs it. */
export function chatCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

export interface SampleOptions {
  language: SampleLanguage;
  /** The OpenAI base URL, ending in `/v1` (`deploymentBaseUrl`). */
  baseUrl: string;
  authMode: DeploymentAuthMode;
  /** Streamed (SSE) instead of one JSON answer. */
  stream?: boolean;
  /** A real key to write in (only with `fixed_api_key`); else `YOUR_API_KEY`. */
  apiKey?: string;
}

export function endpointSample(o: SampleOptions): string {
  const key = o.authMode === 'fixed_api_key' ? (o.apiKey ?? API_KEY_PLACEHOLDER) : undefined;
  if (o.language === 'curl') return curlSample(o.baseUrl, key, o.stream === true);
  if (o.language === 'python') return pythonSample(o.baseUrl, key, o.stream === true);
  return javascriptSample(o.baseUrl, key, o.stream === true);
}

/** JSON string literal, which is also a valid Python string literal for URLs and keys. */
const str = (s: string) => JSON.stringify(s);
/** cURL headers and data are shell-quoted: double quotes for headers, single for the body. */
const shellDouble = (s: string) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;

function curlSample(baseUrl: string, key: string | undefined, stream: boolean): string {
  const body = JSON.stringify({
    model: 'ignored',
    messages: [{ role: 'user', content: 'Hello!' }],
    ...(stream ? { stream: true } : {}),
  });
  const lines = [`curl ${stream ? '-N ' : ''}-X POST ${chatCompletionsUrl(baseUrl)}`];
  lines.push(`  -H ${shellDouble('Content-Type: application/json')}`);
  if (key !== undefined) lines.push(`  -H ${shellDouble(`Authorization: Bearer ${key}`)}`);
  lines.push(`  -d '${body.replace(/'/g, `'\\''`)}'`);
  return `${lines.join(' \\\n')}\n`;
}

function pythonSample(baseUrl: string, key: string | undefined, stream: boolean): string {
  const out = ['from openai import OpenAI', ''];
  if (key === undefined) {
    out.push(
      '# Auth is off for this endpoint, but the SDK requires a non-empty api_key;',
      '# any value works.',
    );
  }
  out.push(`client = OpenAI(base_url=${str(baseUrl)}, api_key=${str(key ?? NO_KEY)})`, '');
  const call = [
    'client.chat.completions.create(',
    '    model="ignored",',
    '    messages=[{"role": "user", "content": "Hello!"}],',
  ];
  if (stream) {
    out.push(`stream = ${call[0]}`, ...call.slice(1), '    stream=True,', ')');
    out.push('for chunk in stream:', '    if chunk.choices and chunk.choices[0].delta.content:');
    out.push('        print(chunk.choices[0].delta.content, end="", flush=True)', 'print()');
  } else {
    out.push(`response = ${call[0]}`, ...call.slice(1), ')', 'print(response.choices[0].message.content)');
  }
  return `${out.join('\n')}\n`;
}

function javascriptSample(baseUrl: string, key: string | undefined, stream: boolean): string {
  const out = [
    '// ESM: save as a .mjs file, or set "type": "module" in package.json.',
    'import OpenAI from "openai";',
    '',
  ];
  if (key === undefined) {
    out.push(
      '// Auth is off for this endpoint, but the SDK requires a non-empty apiKey;',
      '// any value works.',
    );
  }
  out.push(`const client = new OpenAI({ baseURL: ${str(baseUrl)}, apiKey: ${str(key ?? NO_KEY)} });`, '');
  out.push('async function main() {');
  const args = ['    model: "ignored",', '    messages: [{ role: "user", content: "Hello!" }],'];
  if (stream) {
    out.push(
      '  const stream = await client.chat.completions.create({',
      ...args,
      '    stream: true,',
      '  });',
    );
    out.push('  for await (const chunk of stream) {');
    out.push('    process.stdout.write(chunk.choices[0]?.delta?.content ?? "");', '  }');
    out.push('  process.stdout.write("\\n");');
  } else {
    out.push('  const response = await client.chat.completions.create({', ...args, '  });');
    out.push('  console.log(response.choices[0].message.content);');
  }
  out.push('}', '', 'main();');
  return `${out.join('\n')}\n`;
}
