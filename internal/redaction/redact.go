// Package redaction formats values that hold secrets or personal data, so
// that no fmt verb reaches their fields: security's credentials and
// provider, and callback's events.
package redaction

import "fmt"

// Mark stands in for a value that is not shown.
const Mark = "[REDACTED]"

// Format implements fmt.Formatter for a value whose safe forms are str
// (%v, %+v, %s, %q, with their width and flags) and goStr (%#v). Any other
// verb gets fmt's bad-verb report with str in place of the fields, e.g.
// %!d(security.Credentials=...). typeName names the type in that report.
func Format(f fmt.State, verb rune, typeName, str, goStr string) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = fmt.Fprint(f, goStr)
			return
		}
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), str)
	case 's', 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), str)
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(%s=%s)", verb, typeName, str)
	}
}
