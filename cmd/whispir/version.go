package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/whispir-go/whispir/api"
)

// versionInfo is what --version prints: as one line, or with --json as an
// object.
type versionInfo struct {
	Version  string `json:"version"`            // whispir-go's version (api.Version)
	Module   string `json:"module,omitempty"`   // the module version go install recorded, e.g. v0.1.0
	Revision string `json:"revision,omitempty"` // the VCS revision go build recorded
	Modified bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
	Go       string `json:"go"`                 // the Go release it was built with
}

func buildVersion() versionInfo {
	v := versionInfo{Version: api.Version, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if m := info.Main.Version; m != "" && m != "(devel)" {
		v.Module = m
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// writeVersion prints the version: "whispir 0.1.0 (module v0.1.0, revision
// 1a2b3c4d5e6f, go1.26.0)".
func writeVersion(w io.Writer, asJSON bool) error {
	v := buildVersion()
	if asJSON {
		return writeJSON(w, v)
	}
	details := ""
	if v.Module != "" {
		details += "module " + v.Module + ", "
	}
	if v.Revision != "" {
		details += "revision " + v.Revision[:min(12, len(v.Revision))]
		if v.Modified {
			details += " (modified)"
		}
		details += ", "
	}
	_, err := fmt.Fprintf(w, "whispir %s (%s%s)\n", v.Version, details, v.Go)
	return err
}
