package api

import (
	"fmt"
	"strings"

	"github.com/whispir-go/whispir"
)

// Region is a Whispir region. Its base URL comes from the spec's servers.
type Region string

// The regions of the spec's servers.
const (
	AU  Region = "AU"  // Australia: https://api.au.whispir.com
	NZ  Region = "NZ"  // New Zealand: https://api.nz.whispir.com
	AP  Region = "AP"  // Singapore: https://api.ap.whispir.com
	AP1 Region = "AP1" // Asia Pacific 1: https://api.ap1.whispir.com
	US  Region = "US"  // United States: https://api.us.whispir.com
	IT  Region = "IT"  // IT: https://api.it.whispir.com
	EDU Region = "EDU" // Education: https://api.education.whispir.com
)

// DefaultRegion is the region used when neither WithRegion nor WithBaseURL
// is given.
const DefaultRegion = AU

// regionAliases are other spellings ParseRegion accepts.
var regionAliases = map[string]Region{"EDUCATION": EDU}

// Regions returns every region, in the spec's order.
func Regions() []Region {
	servers, err := whispir.Servers()
	if err != nil {
		return nil
	}
	out := make([]Region, len(servers))
	for i, s := range servers {
		out[i] = Region(s.Name)
	}
	return out
}

// ParseRegion returns the region named s, ignoring case and surrounding
// space; "edu" and "education" both name EDU.
func ParseRegion(s string) (Region, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	if r, ok := regionAliases[name]; ok {
		return r, nil
	}
	for _, r := range Regions() {
		if string(r) == name {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q (want one of %s)", ErrUnknownRegion, s, regionList())
}

// BaseURL returns the region's base URL, from the spec's servers.
func (r Region) BaseURL() (string, error) {
	servers, err := whispir.Servers()
	if err != nil {
		return "", err
	}
	for _, s := range servers {
		if s.Name == string(r) {
			return s.URL, nil
		}
	}
	return "", fmt.Errorf("%w: %q (want one of %s)", ErrUnknownRegion, string(r), regionList())
}

// String returns the region's code, e.g. "AU".
func (r Region) String() string { return string(r) }

func regionList() string {
	var names []string
	for _, r := range Regions() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
