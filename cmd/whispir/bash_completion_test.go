package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/api"
)

// envRunAsMain makes the test binary run the tool instead of the tests, so
// that a shell can call it as "whispir".
const envRunAsMain = "WHISPIR_TEST_RUN_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsMain) == "1" {
		main()
	}
	// Retries happen as they would, without their waits.
	testClientOptions = []api.Option{api.WithRetry(api.NoWaitRetryPolicy())}
	os.Exit(m.Run())
}

// bashCompletion is the bash-completion package's entry point, which the
// generated script needs (as the help of 'whispir completion' says).
const bashCompletion = "/usr/share/bash-completion/bash_completion"

// TestBashCompletion loads 'whispir completion bash' into bash and
// completes command lines the way the shell does on Tab.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Skipf("no bash-completion package (%s)", bashCompletion)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "whispir")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // what was typed before Tab
		want []string
	}{
		{"whispir ca", []string{"call", "callbacks"}},
		{"whispir call contactL", []string{"contactList"}},
		{"whispir call contactList sortO", []string{"sortOrder="}},
		// "=" breaks words for bash: it replaces only what follows it.
		{"whispir call contactList sortOrder=d", []string{"desc"}},
		{"whispir --region E", []string{"EDU"}},
		{"whispir completion f", []string{"fish"}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			script := `source ` + bashCompletion + `
source <(whispir completion bash)
read -r -a COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}
__start_whispir whispir "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
`
			cmd := exec.CommandContext(t.Context(), bash, "--norc", "--noprofile", "-c", script)
			cmd.Env = append(os.Environ(), envRunAsMain+"=1", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "LINE="+tc.line)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash: %v", err)
			}
			got := strings.Fields(string(out))
			if !slices.Equal(got, tc.want) {
				t.Errorf("completing %q: got %q; want %q", tc.line, got, tc.want)
			}
		})
	}
}
