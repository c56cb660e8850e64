/**
 * Ends a phrase as a sentence: a rule's own "?" or "." already ends it ("… a toilet flapper
 * refilling?"), so the report and the notifications add a full stop only when it is missing.
 */
export function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}
