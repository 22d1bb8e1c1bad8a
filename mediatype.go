package whispir

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir/internal/mediatype"
)

// JSONMediaType is the media type the generated client sends and expects for
// every operation; the client pipeline replaces it with the operation's
// vendor media type before a request leaves the process.
const JSONMediaType = mediatype.JSON

// IsJSONMediaType reports whether mt is application/json or a +json type
// (parameters such as charset are ignored).
func IsJSONMediaType(mt string) bool { return mediatype.IsJSON(mt) }

// PrimaryMediaType returns the media type an operation exchanges: the JSON
// type of its successful responses; failing that, of its request body;
// failing that, of the successful responses of the other operations on the
// same path (a DELETE answers in its resource's type). When several qualify
// the first in lexical order wins; with none it is application/json.
//
// cmd/whispir-gen presents this type to oapi-codegen as application/json so
// that generated names stay short, and the client pipeline puts it back on the
// wire as Content-Type and Accept. The operation table of the prepared spec
// (see [Operations]) was computed with the same function at generate time.
func PrimaryMediaType(item *openapi3.PathItem, op *openapi3.Operation) string {
	return mediatype.Primary(item, op)
}
