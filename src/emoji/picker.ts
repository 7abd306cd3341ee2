/**
 * Picker data: the instance's table first (the 128 built-ins in table order, then its extension
 * entries), synchronously; then the full Unicode set with CLDR names in zh and en, from a
 * generated module loaded with a dynamic `import()`, so that bundlers put it in a chunk of its
 * own and the main bundle carries only the built-ins.
 */
import type { Emoji, EmojiLang } from './emoji.js';
import type { PickerGroupRow } from './picker-data.js';

export interface PickerEmoji {
  readonly emoji: string;
  /** Name in the instance's language. */
  readonly name: string;
  readonly zh: string;
  readonly en: string;
  /** `[name]`, for table entries only. */
  readonly symbol: string | undefined;
  /** Emoji version that introduced it (full set only): lets a picker hide what the platform can't draw. */
  readonly version: number | undefined;
}

export interface PickerCategory {
  /** `'builtin'`, or a CLDR group: `'smileys-emotion'`, `'people-body'`, … `'flags'`. */
  readonly id: string;
  /** Name in the instance's language. */
  readonly name: string;
  readonly zh: string;
  readonly en: string;
  readonly emoji: readonly PickerEmoji[];
}

export const BUILTIN_CATEGORY_ID = 'builtin';
const BUILTIN_NAMES = { zh: '默认表情', en: 'Default' } as const;

type PickerSource = Pick<Emoji, 'list' | 'lang'>;

/** The instance's table as a category, synchronously. */
export function builtinCategory(source: PickerSource): PickerCategory {
  return Object.freeze({
    id: BUILTIN_CATEGORY_ID,
    name: BUILTIN_NAMES[source.lang],
    ...BUILTIN_NAMES,
    emoji: Object.freeze(source.list.map((e) => Object.freeze({
      emoji: e.emoji, name: e.name, zh: e.zh, en: e.en, symbol: e.symbol, version: undefined,
    }))),
  });
}

let loading: Promise<readonly PickerGroupRow[]> | undefined;
const unicodeCategories = new Map<EmojiLang, readonly PickerCategory[]>();

function toCategories(groups: readonly PickerGroupRow[], lang: EmojiLang): readonly PickerCategory[] {
  return Object.freeze(groups.map(([id, zh, en, rows]) => Object.freeze({
    id,
    name: lang === 'zh' ? zh : en,
    zh,
    en,
    emoji: Object.freeze(rows.map(([emoji, enName, zhName, version]) => Object.freeze({
      emoji, name: lang === 'zh' ? zhName : enName, zh: zhName, en: enName, symbol: undefined, version,
    }))),
  })));
}

/**
 * Every picker category: the instance's table first, then the full Unicode set in CLDR order
 * (loaded once per page, on the first call; a failed load is retried on the next call).
 */
export async function loadPickerCategories(source: PickerSource): Promise<PickerCategory[]> {
  loading ??= import('./picker-data.js').then((m) => m.PICKER_GROUPS, (error: unknown) => {
    loading = undefined;
    throw error;
  });
  const groups = await loading;
  let categories = unicodeCategories.get(source.lang);
  if (categories === undefined) {
    categories = toCategories(groups, source.lang);
    unicodeCategories.set(source.lang, categories);
  }
  return [builtinCategory(source), ...categories];
}
