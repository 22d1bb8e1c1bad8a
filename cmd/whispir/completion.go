package main

import (
	"github.com/spf13/cobra"
)

const completionLong = `Prints a script that completes whispir's commands, flags, regions and, for
'whispir call', the spec's operation ids and their parameters. Load it:

  bash:       source <(whispir completion bash)
              # for every session (needs the bash-completion package):
              whispir completion bash > ~/.local/share/bash-completion/completions/whispir
  zsh:        whispir completion zsh > "${fpath[1]}/_whispir"
              # compinit must be enabled: autoload -U compinit; compinit
  fish:       whispir completion fish > ~/.config/fish/completions/whispir.fish
  powershell: whispir completion powershell | Out-String | Invoke-Expression

Open a new shell afterwards.`

// completionShells are the shells completion writes scripts for.
var completionShells = []cobra.Completion{"bash", "zsh", "fish", "powershell"}

func newCompletionCommand(root *cobra.Command) *cobra.Command {
	var noDescriptions bool
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "print a shell completion script (bash, zsh, fish, powershell)",
		Long:  completionLong,
		Args: func(_ *cobra.Command, args []string) error {
			switch len(args) {
			case 0:
				return usagef("missing shell: bash, zsh, fish or powershell")
			case 1:
				return nil
			}
			return usagef("unexpected argument %q", args[1])
		},
		ValidArgs: completionShells,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, !noDescriptions)
			case "zsh":
				if noDescriptions {
					return root.GenZshCompletionNoDesc(w)
				}
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, !noDescriptions)
			case "powershell":
				if noDescriptions {
					return root.GenPowerShellCompletion(w)
				}
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return usagef("unknown shell %q: want bash, zsh, fish or powershell", args[0])
		},
	}
	cmd.Flags().BoolVar(&noDescriptions, "no-descriptions", false, "complete without descriptions")
	return cmd
}
