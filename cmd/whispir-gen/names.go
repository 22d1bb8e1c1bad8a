package main

import (
	"fmt"
	"go/token"
	"mime"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// The naming rule for media types that oapi-codegen would spell out in Go
// names (MessageCreateWithApplicationVndWhispirBulkmessageV1PlusJSONBody).
//
// A media type splits into vendor, resource, version and format:
// application/vnd.whispir.bulkmessage-v1+json is vendor "whispir", resource
// "bulkmessage", version "v1", format "json"; application/problem+json is
// resource "problem"; application/xml is format "xml" alone. Its Go name is
// the first of these candidates that no other named media type of the spec
// also gets:
//
//  1. the media type object's x-go-name extension, verbatim;
//  2. the resource without the resource of the primary type of the
//     operations that use it, when every primary it starts or ends with
//     leaves the same rest (bulkmessage beside message: "Bulk";
//     importcontact beside contact: "Import");
//  3. the resource ("Bulkmessage"), unless it is the primary's own
//     resource in another version;
//  4. resource and version ("ThingV2");
//  5. vendor, resource and version ("AcmeThingV2").
//
// When two media types would share a name, both move on to their next
// candidate, so the outcome does not depend on the order of the spec. A media
// type that runs out of candidates is an error that asks for x-go-name.
//
// Request names use the name alone (MessageCreateBulkWithResponse,
// MessageCreateBulkRequestBody); response names add the format
// (ThingCreate201ThingV2JSONResponse, resp.ThingV2JSON201), as oapi-codegen's
// own JSON201 does.

// mediaParts is a media type split for naming.
type mediaParts struct {
	vendor, resource, version, format string
}

var versionSuffix = regexp.MustCompile(`^(.*?)[-_.]?(v\d+)$`)

func splitMediaType(mt string) mediaParts {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		base = strings.ToLower(mt)
	}
	_, sub, _ := strings.Cut(base, "/")
	var p mediaParts
	if i := strings.LastIndexByte(sub, '+'); i >= 0 {
		sub, p.format = sub[:i], sub[i+1:]
	} else if sub == "json" || sub == "xml" || sub == "yaml" {
		sub, p.format = "", sub
	}
	for _, facet := range []string{"vnd.", "prs.", "x.", "x-"} {
		if rest, ok := strings.CutPrefix(sub, facet); ok {
			sub = rest
			if vendor, rest, ok := strings.Cut(sub, "."); ok && facet != "x-" {
				p.vendor, sub = vendor, rest
			}
			break
		}
	}
	if m := versionSuffix.FindStringSubmatch(sub); m != nil {
		sub, p.version = m[1], m[2]
	}
	p.resource = sub
	return p
}

// formatSuffix is what response names add after a media type's name.
func formatSuffix(mt string) string {
	switch splitMediaType(mt).format {
	case "json":
		return "JSON"
	case "xml":
		return "XML"
	case "yaml":
		return "YAML"
	}
	return ""
}

// nameRequest is what the naming rule needs to know about one media type.
type nameRequest struct {
	mediaType string
	goName    string   // x-go-name, if any
	primaries []string // primary types of the operations that use it
}

// nameMediaTypes applies the naming rule. camel turns a word into a Go name
// part (the configured oapi-codegen name normalizer).
func nameMediaTypes(reqs []nameRequest, camel func(string) string) (map[string]string, error) {
	type state struct {
		cands []string
		at    int
	}
	states := make(map[string]*state, len(reqs))
	for _, r := range reqs {
		cands, err := candidates(r, camel)
		if err != nil {
			return nil, err
		}
		states[r.mediaType] = &state{cands: cands}
	}
	keys := make([]string, 0, len(states))
	for mt := range states {
		keys = append(keys, mt)
	}
	slices.Sort(keys)
	for {
		// Group by the name each media type would get with its format:
		// request names are the name alone, but only JSON types have them.
		groups := map[string][]string{}
		for _, mt := range keys {
			s := states[mt]
			if s.at >= len(s.cands) {
				return nil, fmt.Errorf("media type %s: no Go name left that no other media type has; give it one with x-go-name", mt)
			}
			key := strings.ToLower(s.cands[s.at] + "\x00" + formatSuffix(mt))
			groups[key] = append(groups[key], mt)
		}
		clash := false
		for _, mts := range groups {
			if len(mts) < 2 {
				continue
			}
			for _, mt := range mts {
				states[mt].at++
			}
			clash = true
		}
		if !clash {
			break
		}
	}
	out := make(map[string]string, len(states))
	for mt, s := range states {
		out[mt] = s.cands[s.at]
	}
	return out, nil
}

// candidates lists the names the rule tries for r, best first.
func candidates(r nameRequest, camel func(string) string) ([]string, error) {
	if r.goName != "" {
		if !token.IsIdentifier(r.goName) || !unicode.IsUpper([]rune(r.goName)[0]) {
			return nil, fmt.Errorf("media type %s: x-go-name %q is not an exported Go identifier", r.mediaType, r.goName)
		}
		return []string{r.goName}, nil
	}
	p := splitMediaType(r.mediaType)
	var cands []string
	add := func(words ...string) {
		var b strings.Builder
		for _, w := range words {
			for part := range strings.FieldsFuncSeq(w, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
				b.WriteString(camel(part))
			}
		}
		if name := b.String(); name != "" && !slices.Contains(cands, name) {
			cands = append(cands, name)
		}
	}
	twin := false
	var trimmed []string
	for _, primary := range r.primaries {
		pr := splitMediaType(primary).resource
		if pr == "" {
			continue
		}
		if pr == p.resource {
			twin = true
			continue
		}
		t, ok := strings.CutPrefix(p.resource, pr)
		if !ok {
			t, ok = strings.CutSuffix(p.resource, pr)
		}
		if ok && !slices.Contains(trimmed, t) {
			trimmed = append(trimmed, t)
		}
	}
	if len(trimmed) == 1 && !twin {
		add(trimmed[0])
	}
	if !twin {
		add(p.resource)
	}
	add(p.resource, p.version)
	add(p.vendor, p.resource, p.version)
	if p.resource == "" && p.vendor == "" && p.version == "" {
		// application/xml and the like: the format alone names it, then
		// the top-level type (text/xml: "Text").
		cands = append(cands, "")
		typ, _, _ := strings.Cut(strings.ToLower(r.mediaType), "/")
		add(typ)
	}
	return cands, nil
}
