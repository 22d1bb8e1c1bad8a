package api

import "runtime"

// Version is the version of whispir-go, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultUserAgent is the User-Agent sent unless WithUserAgent replaces it:
// "whispir-go/<version> (go<version>)".
var DefaultUserAgent = "whispir-go/" + Version + " (" + runtime.Version() + ")"
