package api

// Ptr returns a pointer to a copy of v, for the optional fields of the
// generated types:
//
//	generated.Message{To: "61400000000", Subject: api.Ptr("Hello"), Body: api.Ptr("From whispir-go")}
func Ptr[T any](v T) *T { return &v }
