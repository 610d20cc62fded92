/** The line that, right above a ```sh fence, keeps that block out of the README's test run. */
const NOT_RUN = "<!-- not run by test/e2e/readme.test.ts -->";

export interface ShellBlock {
  /** the `## ` heading the block sits under */
  heading: string;
  /** 1-based line of the block's first command in the Markdown file */
  line: number;
  code: string;
}

/** The ```sh blocks of a Markdown text, in order, except those marked {@link NOT_RUN}. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split("\n");
  const blocks: ShellBlock[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("## ")) heading = line.slice(3);
    if (line.trimEnd() !== "```sh") continue;
    const end = lines.findIndex((l, j) => j > i && l.trimEnd() === "```");
    if (end < 0) throw new Error(`README line ${i + 1}: a \`\`\`sh block that never ends`);
    if (lines[i - 1] !== NOT_RUN) {
      blocks.push({ heading, line: i + 2, code: lines.slice(i + 1, end).join("\n") });
    }
    i = end;
  }
  return blocks;
}

/**
 * One bash script of the blocks, in order, as a reader runs them in one session, laid out so
 * that each command stands on its README line: every other line is blank, each block's
 * opening fence becomes a line that announces its heading, and the first line sets a trap
 * that names the first failing command with its line (`$LINENO`), which is the README's.
 */
export function shellScript(blocks: ShellBlock[]): string {
  const lines = [
    // set -E: the ERR trap also fires inside functions
    `set -E; trap 'echo "README line $LINENO failed: $BASH_COMMAND" >&2' ERR`,
  ];
  for (const b of blocks) {
    if (b.line - 2 < lines.length) throw new Error(`README line ${b.line}: blocks overlap`);
    while (lines.length < b.line - 2) lines.push("");
    lines.push(`echo ${JSON.stringify(`### ${b.heading}`)}`, ...b.code.split("\n"));
  }
  return `${lines.join("\n")}\n`;
}
