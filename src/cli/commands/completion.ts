import { Argument, type Command } from 'commander';
import type { Shell } from '../completion.js';
import { examples, type Deps } from '../command-kit.js';

/** The shells of completion.ts's SHELLS, repeated so this file loads nothing of it until it runs. */
export const SHELL_NAMES = ['bash', 'zsh', 'fish'] as const satisfies readonly Shell[];

export function registerCompletion(program: Command, { io }: Deps): void {
  const command = program
    .command('completion')
    .description('print a shell completion script (the same scripts live in completions/)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELL_NAMES))
    .action(async (shell: string) => {
      // Completion code is loaded only here, never on the paths agents call.
      const { completionScript } = await import('../completion.js');
      io.out(completionScript(program, shell as Shell));
    });
  examples(command, [
    'mkdir -p ~/.local/share/bash-completion/completions && agent-vault completion bash > ~/.local/share/bash-completion/completions/agent-vault',
    'source <(agent-vault completion bash)   # in ~/.bashrc, instead',
    'mkdir -p ~/.zfunc && agent-vault completion zsh > ~/.zfunc/_agent-vault   # and fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc',
    'mkdir -p ~/.config/fish/completions && agent-vault completion fish > ~/.config/fish/completions/agent-vault.fish',
  ]);
}
