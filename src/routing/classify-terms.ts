/**
 * The classifier's keyword tables and signal weights, as data (classify.ts compiles them into its
 * lexicon at module load). Extend a table to teach the classifier a word; docs/classification.md
 * describes each signal.
 */
import type { TaskDomain } from './classify.js';

// =============================================================================================
// Keyword tables. Lower case. An entry may be a phrase: a space in it also matches a hyphen, tab
// or newline ("step by step" finds "step-by-step"), an apostrophe also matches ’. Entries start
// with a letter or digit. Which signal each table feeds, and its weight, is in SIGNALS below.
// =============================================================================================

/** Natural languages: the target of "translate ... into <language>". */
export const LANGUAGES = [
  'english', 'french', 'spanish', 'german', 'italian', 'portuguese', 'dutch', 'russian', 'chinese',
  'mandarin', 'cantonese', 'japanese', 'korean', 'arabic', 'hindi', 'bengali', 'urdu', 'punjabi',
  'turkish', 'polish', 'ukrainian', 'czech', 'slovak', 'romanian', 'hungarian', 'greek', 'hebrew',
  'persian', 'farsi', 'swedish', 'norwegian', 'danish', 'finnish', 'icelandic', 'vietnamese', 'thai',
  'indonesian', 'malay', 'tagalog', 'filipino', 'swahili', 'latin', 'catalan', 'basque', 'welsh',
  'irish', 'serbian', 'croatian', 'bulgarian', 'lithuanian', 'latvian', 'estonian', 'tamil', 'telugu',
  'marathi', 'gujarati', 'esperanto',
];
/** Words between "translate" and the language: "translate this into French", "translate to German". */
export const INTO_WORDS = ['into', 'to', 'in'];
export const TRANSLATE_WORDS = [
  'translate', 'translates', 'translated', 'translating', 'translation', 'translations', 'translator',
  'traduis', 'traduire', 'traduce', 'traducir', 'traduza', 'traduzir', 'tradurre', 'traduci',
  'übersetze', 'übersetzen', 'übersetzung', 'vertaal', 'vertalen', 'переведи', 'перевести', 'перевод',
  'how do you say', 'how would you say', 'how do i say', 'how can i say', 'how to say',
];

/** Programming languages, runtimes, frameworks and data stores: strong code signals. */
export const PROGRAMMING_LANGUAGES = [
  'python', 'javascript', 'typescript', 'java', 'kotlin', 'scala', 'golang', 'rust', 'ruby', 'php',
  'perl', 'swift', 'objective c', 'haskell', 'elixir', 'erlang', 'clojure', 'lua', 'dart', 'julia',
  'matlab', 'fortran', 'cobol', 'c++', 'c#', 'f#', 'csharp', 'dotnet', 'asp.net', 'sql', 'postgres',
  'postgresql', 'mysql', 'sqlite', 'mongodb', 'redis', 'kafka', 'bash', 'zsh', 'powershell', 'html', 'css',
  'scss', 'react', 'vue', 'angular', 'svelte', 'next.js', 'node', 'nodejs', 'node.js', 'deno', 'django',
  'flask', 'fastapi', 'spring boot', 'rails', 'laravel', 'numpy', 'pandas', 'pytorch', 'tensorflow',
  'docker', 'dockerfile', 'kubernetes', 'k8s', 'terraform', 'webpack', 'graphql', 'grpc', 'webassembly',
  'wasm', 'jquery', 'tsx', 'jsx', 'express', 'npm', 'pip', 'cargo', 'maven', 'gradle',
];

/** Words about software that also occur in prose: weak code signals. */
export const CODE_WORDS = [
  'function', 'functions', 'method', 'methods', 'variable', 'variables', 'compile', 'compiler',
  'compiling', 'compilation', 'runtime', 'debug', 'debugging', 'bug', 'bugs', 'stack trace', 'stacktrace',
  'exception', 'exceptions', 'segfault', 'refactor', 'refactoring', 'api', 'apis', 'endpoint', 'endpoints',
  'library', 'framework', 'git', 'github', 'regex', 'regexp', 'recursion', 'recursive', 'async', 'await',
  'promise', 'promises', 'null pointer', 'unit test', 'unit tests', 'linter', 'repo', 'repository',
  'pull request', 'codebase', 'source code', 'code', 'snippet', 'script', 'scripts', 'algorithm',
  'algorithms', 'data structure', 'data structures', 'database', 'query', 'queries', 'http', 'cli',
  'terminal', 'deploy', 'deployment', 'dependency', 'dependencies', 'package', 'packages', 'module',
  'modules', 'class', 'classes', 'interface', 'interfaces', 'struct', 'structs', 'array', 'arrays',
  'hashmap', 'hash map', 'pointer', 'pointers', 'thread', 'threads', 'mutex', 'deadlock', 'race condition',
  'memory leak', 'big o', 'type error', 'syntax error', 'frontend', 'backend', 'middleware', 'docstring',
  'boilerplate', 'callback', 'closure', 'iterator', 'lambda', 'stdout', 'stderr', 'localhost', 'webhook',
  'sdk', 'handler', 'null', 'undefined', 'boolean', 'programming', 'programmer', 'programmers', 'developer',
  'developers', 'software engineer',
];
/** "<verb> ... <artifact>" within a few words is a request for code: "write a Python function". */
export const CODE_VERBS = [
  'write', 'implement', 'create', 'build', 'fix', 'debug', 'refactor', 'optimize', 'optimise', 'review',
  'port', 'convert', 'rewrite', 'translate', 'generate', 'code',
];
export const CODE_ARTIFACTS = [
  'function', 'functions', 'method', 'methods', 'class', 'classes', 'script', 'scripts', 'program',
  'programs', 'code', 'snippet', 'query', 'queries', 'regex', 'regexp', 'regular expression', 'endpoint',
  'endpoints', 'api', 'unit test', 'unit tests', 'test case', 'test cases', 'component', 'components',
  'module', 'modules', 'library', 'cli', 'hook', 'hooks', 'macro', 'macros', 'algorithm', 'algorithms',
  'implementation', 'sql', 'bash', 'shell script', 'dockerfile', 'makefile', 'server', 'parser', 'app',
];
/** Phrases that only appear in error output. */
export const STACK_TRACE_PHRASES = [
  'traceback (most recent call last)', 'exception in thread', 'panicked at', 'segmentation fault',
  'core dumped', 'npm err!', 'uncaught exception', 'unhandled promise rejection',
];
/** Declaration keywords: "def name(", "fn name(", "function name(" are code. */
export const DECLARATION_WORDS = ['def', 'fn', 'func', 'function'];

/** Math words that on their own mean "do math". */
export const MATH_VERBS = ['prove', 'proof', 'theorem', 'lemma', 'corollary', 'calculate', 'compute', 'solve', 'derive', 'induction'];
/** Math concepts: evidence, weaker than the verbs. */
export const MATH_WORDS = [
  'equation', 'equations', 'integral', 'integrals', 'derivative', 'derivatives', 'differentiate',
  'antiderivative', 'probability', 'expected value', 'variance', 'standard deviation', 'matrix',
  'matrices', 'eigenvalue', 'eigenvalues', 'eigenvector', 'eigenvectors', 'determinant', 'polynomial',
  'polynomials', 'factorial', 'prime number', 'prime numbers', 'primes', 'modulo', 'logarithm',
  'logarithms', 'arithmetic', 'algebra', 'geometry', 'calculus', 'trigonometry', 'hypotenuse', 'quadratic',
  'irrational', 'integers', 'divisible', 'gcd', 'lcm', 'inequality', 'square root', 'simplify',
  'combinatorics', 'permutations', 'sum of', 'area of', 'volume of', 'percent', 'percentage',
  'interest rate', 'compound interest', 'fraction', 'radius', 'circumference', 'infinitely many',
];
/** LaTeX commands: "\frac", "\int", ... (only with the backslash). */
export const LATEX_COMMANDS = ['frac', 'int', 'sum', 'prod', 'sqrt', 'lim', 'cdot', 'times', 'infty', 'partial', 'mathbb', 'alpha', 'beta', 'theta', 'pi', 'begin'];
/** Characters that are math wherever they appear. */
export const MATH_SYMBOLS = '∑∫√π∞≤≥≠±×÷∂∆∀∃∈∉⊂⊆∪∩≈∇²³';

export const SUMMARY_WORDS = [
  'summarize', 'summarise', 'summarized', 'summarised', 'summarizes', 'summarises', 'summarizing',
  'summarising', 'summary', 'summaries', 'summarization', 'summarisation', 'tl;dr', 'tldr',
  'key points', 'key takeaways', 'key findings', 'key ideas', 'main points', 'main ideas',
  'main takeaways', 'main arguments', 'condense', 'recap', 'gist', 'in a nutshell',
  'zusammenfassen', 'zusammenfassung', 'résumer', 'resumen', 'resumir',
];
/** "<number> <unit>": a requested output size, a weak summary signal ("in three bullet points"). */
export const SIZE_NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'ten', 'a few', 'a couple of'];
export const SIZE_UNITS = ['sentence', 'sentences', 'bullet', 'bullets', 'bullet point', 'bullet points', 'words', 'lines', 'paragraph', 'paragraphs'];

export const EXTRACTION_WORDS = [
  'extract', 'extracts', 'extracted', 'extracting', 'extraction', 'classify', 'classification',
  'categorize', 'categorise', 'categorization', 'categorisation', 'named entity', 'named entities', 'ner',
  'sentiment', 'key value pair', 'key value pairs', 'structured data', 'structured output', 'structured format',
];
/** "<lead> ... <entity>": "list all the names", "find every date", "pull out the amounts". */
export const EXTRACTION_LEADS = ['list', 'find', 'identify', 'get', 'pull out', 'extract', 'collect', 'return'];
export const ENTITY_NOUNS = [
  'name', 'names', 'date', 'dates', 'email', 'emails', 'phone numbers', 'entities', 'people', 'persons',
  'companies', 'organizations', 'organisations', 'amounts', 'prices', 'addresses', 'urls', 'links',
  'skills', 'keywords', 'locations', 'products', 'fields', 'values',
];
/** "parse <document>": "parse this invoice". */
export const PARSE_LEADS = ['parse'];
export const DOCUMENT_NOUNS = ['text', 'invoice', 'receipt', 'resume', 'cv', 'email', 'document', 'address', 'log', 'logs', 'pdf', 'table'];
/** "label each ...", "tag every ...". */
export const LABEL_LEADS = ['label', 'labels', 'labeling', 'labelling', 'tag', 'annotate'];
export const LABEL_OBJECTS = ['each', 'every', 'all', 'these'];
/** "<lead> json": "return JSON", "as JSON", "valid JSON". */
export const JSON_LEADS = ['as', 'in', 'into', 'return', 'returns', 'output', 'with', 'valid', 'only'];
export const JSON_PHRASES = ['json object', 'json array', 'json schema', 'json format'];

/** "<verb> ... <form>" within a few words is a creative request: "write a short story". */
export const CREATIVE_VERBS = ['write', 'compose', 'create', 'draft', 'pen', 'tell', 'make up', 'invent', 'come up with', 'give me'];
export const CREATIVE_FORMS = [
  'story', 'stories', 'poem', 'poems', 'poetry', 'haiku', 'haikus', 'sonnet', 'sonnets', 'limerick',
  'limericks', 'lyrics', 'song', 'songs', 'ballad', 'novel', 'novella', 'fable', 'fairy tale', 'screenplay',
  'monologue', 'joke', 'jokes', 'riddle', 'rap', 'verse', 'verses', 'ode', 'fan fiction', 'fanfiction',
  'fanfic', 'tagline', 'slogan', 'toast', 'eulogy', 'speech', 'bedtime story', 'short story',
  'short stories', 'short film',
];
export const CREATIVE_WORDS = [
  'once upon a time', 'rhyme', 'rhymes', 'rhyming', 'stanza', 'stanzas', 'protagonist', 'plot twist',
  'worldbuilding', 'fictional', 'fiction', 'in the style of', 'character arc', 'narrative', 'whimsical',
  'poem', 'poems', 'poetry', 'haiku', 'sonnet', 'lyrics', 'short story', 'limerick',
];

export const REASONING_WORDS = [
  'step by step', 'analyze', 'analyse', 'analyzing', 'analysing', 'analysis', 'trade off', 'trade offs',
  'tradeoff', 'tradeoffs', 'design', 'designing', 'architecture', 'architect', 'architectural', 'compare',
  'comparison', 'contrast', 'evaluate', 'justify', 'explain why', 'in depth', 'in detail', 'detailed',
  'pros and cons', 'think carefully', 'think through', 'think hard', 'reason about', 'reason through',
  'reasoning', 'rigorous', 'rigorously', 'edge cases', 'scalable', 'scalability', 'optimize', 'optimise',
  'optimal', 'optimization', 'optimisation', 'root cause', 'bottleneck', 'bottlenecks', 'implications',
  'critique', 'comprehensive', 'thorough', 'thoroughly', 'failure modes', 'distributed system',
  'distributed systems', 'derivation', 'prove', 'proof', 'derive', 'induction',
];

export const CONSTRAINT_WORDS = [
  'must', 'must not', 'should', 'make sure', 'ensure', 'at least', 'at most', 'no more than', 'exactly',
  'only use', 'do not', "don't", 'never', 'avoid', 'without using', 'requirement', 'requirements',
  'constraint', 'constraints', 'limit to', 'limited to',
];

/** Scripts written without spaces between words, found by substring instead of by word. */
export const UNSPACED_TERMS: readonly (readonly [string, SignalName])[] = [
  ['翻译', 'translateWord'], ['翻譯', 'translateWord'], ['翻訳', 'translateWord'], ['번역', 'translateWord'],
  ['总结', 'summaryWord'], ['總結', 'summaryWord'], ['要約', 'summaryWord'], ['요약', 'summaryWord'],
];

// =============================================================================================
// Signals: what each kind of hit is worth. A hit gives `points` to its domain until the same
// signal has hit `cap` times in one message (a word repeated is still one piece of evidence), and
// always adds 1 to its feature counter. Inside fenced code only `inCode` signals count: words in
// code describe the code, not the request.
// =============================================================================================

export type ScoredDomain = Exclude<TaskDomain, 'chat'>;
export type Counter =
  | 'fence' | 'code' | 'stackTrace' | 'math' | 'summary' | 'translation' | 'extraction' | 'creative'
  | 'reasoning' | 'constraint' | 'question' | 'listItem';

export interface SignalDef {
  readonly counter: Counter;
  readonly domain?: ScoredDomain;
  readonly points?: number;
  readonly cap?: number;
  readonly inCode?: boolean;
}

export const SIGNALS = {
  fence: { counter: 'fence', domain: 'code', points: 2, cap: 4, inCode: true },
  stackTrace: { counter: 'stackTrace', domain: 'code', points: 3, cap: 3, inCode: true },
  codeSyntax: { counter: 'code', domain: 'code', points: 1, cap: 6, inCode: true },
  codeIntent: { counter: 'code', domain: 'code', points: 4, cap: 2 },
  inlineCode: { counter: 'code', domain: 'code', points: 1, cap: 4 },
  programmingLanguage: { counter: 'code', domain: 'code', points: 2, cap: 3, inCode: true },
  codeWord: { counter: 'code', domain: 'code', points: 1, cap: 4, inCode: true },
  mathNotation: { counter: 'math', domain: 'math', points: 2, cap: 3 },
  arithmetic: { counter: 'math', domain: 'math', points: 2, cap: 2 },
  mathSymbol: { counter: 'math', domain: 'math', points: 1, cap: 4 },
  mathVerb: { counter: 'math', domain: 'math', points: 2, cap: 2 },
  mathWord: { counter: 'math', domain: 'math', points: 1.5, cap: 3 },
  summaryWord: { counter: 'summary', domain: 'summarization', points: 5, cap: 2 },
  summarySize: { counter: 'summary', domain: 'summarization', points: 1.5, cap: 1 },
  translateWord: { counter: 'translation', domain: 'translation', points: 3, cap: 2 },
  translateInto: { counter: 'translation', domain: 'translation', points: 4, cap: 2 },
  inLanguage: { counter: 'translation', domain: 'translation', points: 1, cap: 1 },
  extractionWord: { counter: 'extraction', domain: 'extraction', points: 3, cap: 3 },
  jsonWord: { counter: 'extraction', domain: 'extraction', points: 2, cap: 1 },
  creativeIntent: { counter: 'creative', domain: 'creative', points: 6, cap: 1 },
  creativeWord: { counter: 'creative', domain: 'creative', points: 2, cap: 3 },
  reasoning: { counter: 'reasoning' },
  constraint: { counter: 'constraint' },
  question: { counter: 'question' },
  listItem: { counter: 'listItem' },
} as const satisfies Record<string, SignalDef>;
export type SignalName = keyof typeof SIGNALS;

/** Single words and phrases, and the signal each table feeds. */
export const WORD_TABLES: readonly (readonly [readonly string[], SignalName])[] = [
  [PROGRAMMING_LANGUAGES, 'programmingLanguage'],
  [CODE_WORDS, 'codeWord'],
  [STACK_TRACE_PHRASES, 'stackTrace'],
  [MATH_VERBS, 'mathVerb'],
  [MATH_WORDS, 'mathWord'],
  [SUMMARY_WORDS, 'summaryWord'],
  [TRANSLATE_WORDS, 'translateWord'],
  [EXTRACTION_WORDS, 'extractionWord'],
  [JSON_PHRASES, 'jsonWord'],
  [CREATIVE_WORDS, 'creativeWord'],
  [REASONING_WORDS, 'reasoning'],
  [CONSTRAINT_WORDS, 'constraint'],
];

export interface PairRule {
  readonly lead: readonly string[];
  readonly object: readonly string[];
  /** Words allowed between lead and object, in the same sentence. */
  readonly gap: number;
  readonly signal: SignalName;
  /** The object must follow one of INTO_WORDS ("translate this into French"). */
  readonly afterInto?: boolean;
  /** Numbers written in digits are leads too. */
  readonly digitsLead?: boolean;
}

/**
 * Lead-then-object patterns. When an object word completes a pair, the pair's signal replaces the
 * object's own signals (so "function" in "write a function" is intent, not also a code word);
 * pairs are tried in this order and the first that completes wins.
 */
export const PAIRS: readonly PairRule[] = [
  { lead: CODE_VERBS, object: CODE_ARTIFACTS, gap: 4, signal: 'codeIntent' },
  { lead: TRANSLATE_WORDS, object: LANGUAGES, gap: 12, signal: 'translateInto', afterInto: true },
  { lead: CREATIVE_VERBS, object: CREATIVE_FORMS, gap: 4, signal: 'creativeIntent' },
  { lead: EXTRACTION_LEADS, object: ENTITY_NOUNS, gap: 3, signal: 'extractionWord' },
  { lead: PARSE_LEADS, object: DOCUMENT_NOUNS, gap: 2, signal: 'extractionWord' },
  { lead: LABEL_LEADS, object: LABEL_OBJECTS, gap: 0, signal: 'extractionWord' },
  { lead: JSON_LEADS, object: ['json'], gap: 0, signal: 'jsonWord' },
  { lead: SIZE_NUMBERS, object: SIZE_UNITS, gap: 1, signal: 'summarySize', digitsLead: true },
  { lead: ['in'], object: LANGUAGES, gap: 0, signal: 'inLanguage' },
];
