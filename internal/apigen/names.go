package apigen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// upperFirst returns s with its first letter in upper case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst returns s with its first letter in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// lowerInitials lowers the leading capitals of a Go name, as a variable
// named after a type is spelt: Contact, contact; OTP, otp; APIKey, apiKey.
func lowerInitials(s string) string {
	r := []rune(s)
	for i := range r {
		if !unicode.IsUpper(r[i]) {
			break
		}
		if i > 0 && i+1 < len(r) && unicode.IsLower(r[i+1]) {
			break // the capital that starts the next word
		}
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// plural is the plural of an English noun in PascalCase, as the resources
// of the spec need it: Message, Messages; MessageStatus, MessageStatuses;
// Activity, Activities; Key, Keys.
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "sh"):
		return s + "es"
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// thirdPerson turns a summary in the imperative ("Create a contact") into
// the third person that follows a Go name in its doc comment ("creates a
// contact").
func thirdPerson(summary string) string {
	verb, rest, _ := strings.Cut(summary, " ")
	verb = strings.ToLower(verb)
	switch {
	case strings.HasSuffix(verb, "s"), strings.HasSuffix(verb, "x"), strings.HasSuffix(verb, "ch"), strings.HasSuffix(verb, "sh"):
		verb += "es"
	case strings.HasSuffix(verb, "y") && len(verb) > 1 && !strings.ContainsRune("aeiou", rune(verb[len(verb)-2])):
		verb = verb[:len(verb)-1] + "ies"
	default:
		verb += "s"
	}
	if rest == "" {
		return verb
	}
	return verb + " " + rest
}

// object is what a list's summary says it lists: "List a message's delivery
// status" gives "a message's delivery status".
func object(summary string) string {
	if rest, ok := strings.CutPrefix(summary, "List "); ok {
		return rest
	}
	return lowerFirst(summary)
}

// paragraphs returns the paragraphs of a description that belong in a Go
// doc comment: not the notes on corrections to Whispir's own description,
// nor a default form's "Same as ..." pointer. Lines are joined.
func paragraphs(description string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(description, "\r\n", "\n"), "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" || strings.HasPrefix(p, "Corrected from Whispir's description") || strings.HasPrefix(p, "Same as ") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// comment writes paragraphs as a Go comment, each wrapped at 77 columns.
func comment(b *strings.Builder, paras []string) {
	for i, p := range paras {
		if i > 0 {
			b.WriteString("//\n")
		}
		line := "//"
		for _, w := range strings.Fields(p) {
			if len(line)+1+len(w) > 77 && line != "//" {
				b.WriteString(line + "\n")
				line = "//"
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
}

// specLine names the operations a helper calls.
func specLine(ops ...*op) string {
	var parts []string
	for _, o := range ops {
		parts = append(parts, o.ID+" ("+o.Method+" "+o.Path+")")
	}
	if len(parts) == 1 {
		return "Spec operation: " + parts[0] + "."
	}
	return "Spec operations: " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + "."
}
