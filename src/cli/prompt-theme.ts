/**
 * The prompts' theme without colour, for `--no-color` and NO_COLOR: @inquirer/prompts
 * colours its prefix, message, answer, errors and hints by itself (it only looks at the
 * terminal, not at our flag), so each of its styles is replaced by plain text here,
 * keeping the words and marks they wrap.
 */
const plain = (text: string): string => text;

/** Every style of the prompts agent-vault uses (input, password, confirm, select), uncoloured. */
export const PLAIN_THEME = {
  prefix: { idle: '?', done: '✔' },
  style: {
    answer: plain,
    message: plain,
    error: (text: string): string => `> ${text}`,
    defaultAnswer: (text: string): string => `(${text})`,
    help: plain,
    highlight: plain,
    key: (text: string): string => `<${text}>`,
    disabled: (text: string): string => `- ${text}`,
    description: plain,
    keysHelpTip: (keys: Array<[string, string]>): string => keys.map(([key, action]) => `${key} ${action}`).join(' • '),
  },
};

/** Whether prompts may be coloured: not with `--no-color`, nor with a non-empty NO_COLOR. */
export function promptColour(env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  return !noColorFlag && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
