package whispirtest

import (
	"encoding/json"
	"net/http"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/generated"
)

// Error texts of the service (reference section 2.4 and the spec's examples).
const (
	summaryBadRequest       = "Your request could not be read."
	summaryUnauthorized     = "Your username and password combination was incorrect. Please check your authentication details and try again"
	summaryNotFound         = "The resource that you have requested does not exist. Please check the identifier and try again"
	summaryMethodNotAllowed = "The method that you have tried to use is not allowed for this resource"
	summaryUnsupportedMedia = "The media type you have supplied in the request does not match any of the available on the server"
	summaryUnprocessable    = "Your request did not contain all of the information required to perform this method. Please check your request for the required fields to be passed in and try again."
	summaryInternal         = "Internal Server Error"

	detailEmptyBody       = "java.io.EOFException: No content to map to Object due to end of input"
	detailNotJSON         = "org.codehaus.jackson.JsonParseException: Unexpected character"
	detailContentType     = "javax.ws.rs.NotSupportedException: Cannot consume content type"
	detailNotAcceptable   = "javax.ws.rs.NotAcceptableException: Cannot produce the requested media type"
	tooLargeBody          = `"HTTP content length exceeded 10485760 bytes."`
	gatewayForbiddenBody  = `{"message":"Forbidden"}`
	maxBody               = 10 << 20 // 10,485,760 bytes, Whispir's payload limit
	textAcceptedForSend   = "Your request has been accepted for processing"
	messageMediaType      = "application/vnd.whispir.message-v1+json"
	bulkMessageMediaType  = "application/vnd.whispir.bulkmessage-v1+json"
	defaultErrorMediaType = whispir.JSONMediaType
)

// apiError is a Whispir error body {errorSummary, errorText, errorDetail},
// labelled mediaType (application/json when empty): Whispir answers errors
// in the media type that was asked for.
func apiError(status int, mediaType, summary, text, detail string) answer {
	if mediaType == "" {
		mediaType = defaultErrorMediaType
	}
	if text == "" {
		text = http.StatusText(status)
	}
	body, _ := json.Marshal(generated.APIError{ErrorSummary: &summary, ErrorText: text, ErrorDetail: &detail})
	return answer{status: status, header: contentType(mediaType), body: body}
}

// nextGenError is the error body of the Verify service (NextGenError):
// the status as a number, its text, and detail.
func nextGenError(status int, detail string) answer {
	body, _ := json.Marshal(generated.NextGenError{Status: status, Message: http.StatusText(status), Detail: &detail})
	return answer{status: status, header: contentType(whispir.JSONMediaType), body: body}
}

func notFound(mediaType string) answer {
	return apiError(http.StatusNotFound, mediaType, summaryNotFound, "", "")
}

func internalError(mediaType string) answer {
	return apiError(http.StatusInternalServerError, mediaType, summaryInternal, "", "")
}

// gatewayForbidden is the API gateway's answer to a missing or wrong key.
func gatewayForbidden() answer {
	return answer{status: http.StatusForbidden, header: contentType(whispir.JSONMediaType), body: []byte(gatewayForbiddenBody)}
}

// payloadTooLarge is the gateway's answer to a body over 10 MiB: a bare
// JSON string.
func payloadTooLarge() answer {
	return answer{status: http.StatusRequestEntityTooLarge, header: contentType(whispir.JSONMediaType), body: []byte(tooLargeBody)}
}

func contentType(mt string) http.Header {
	return http.Header{"Content-Type": {mt}}
}
