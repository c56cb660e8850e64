import { expect, test } from "bun:test";
import { CsvRecordReader, CsvSyntaxError, csvField } from "./csv-record.ts";

function split(text: string, chunkSize = text.length || 1): Array<[number, string[]]> {
  const out: Array<[number, string[]]> = [];
  const reader = new CsvRecordReader((cells, line) => out.push([line, [...cells]]));
  for (let i = 0; i < text.length; i += chunkSize) reader.feed(text.slice(i, i + chunkSize));
  reader.end();
  return out;
}

test.each([
  ["plain", "plain"],
  ["a,b", '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ["two\nlines", '"two\nlines"'],
  ["", ""],
])("csvField(%p) = %p", (value, quoted) => {
  expect(csvField(value)).toBe(quoted);
});

const sample = 'a,b,c\n1,"x,y",3\r\n"multi\nline","q""q",\n\n4,5,6';
const expected: Array<[number, string[]]> = [
  [1, ["a", "b", "c"]],
  [2, ["1", "x,y", "3"]],
  [3, ["multi\nline", 'q"q', ""]],
  [6, ["4", "5", "6"]],
];

test.each([1, 2, 3, 5, 7, 100])("records and line numbers survive chunks of %d characters", (size) => {
  expect(split(sample, size)).toEqual(expected);
});

test("a byte-order mark and CRLF line ends are dropped", () => {
  expect(split("\uFEFFa,b\r\n1,2\r\n")).toEqual([
    [1, ["a", "b"]],
    [2, ["1", "2"]],
  ]);
});

test("a quote inside an unquoted field is literal", () => {
  expect(split('5" pipe,2\n')).toEqual([[1, ['5" pipe', "2"]]]);
});

test.each([
  ['a,"open\nb,c', 1, "a quoted field is not closed before the end of the file"],
  ['x\n"ab"c,d\n', 2, 'unexpected "c" after a closing quote'],
])("syntax error in %p", (text, line, message) => {
  let caught: unknown;
  try {
    split(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CsvSyntaxError);
  expect((caught as CsvSyntaxError).line).toBe(line);
  expect((caught as CsvSyntaxError).message).toBe(message);
});
