package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// handlerFunc answers one API call with a value encoded as JSON, or an
// error: an *apiError keeps its status, anything else is a 502 because the
// console could not get an answer from the broker.
type handlerFunc func(r *http.Request) (any, error)

// apiError is what the UI shows next to a form: a message, the Kafka error
// code when the broker refused, and the form field at fault when known.
type apiError struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
	Code    string `json:"code,omitempty"`
	Field   string `json:"field,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// created marks an answer to a POST that made something new (201).
type created struct{ v any }

func badField(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Message: fmt.Sprintf(format, args...)}
}

// kafkaError turns an error code from the broker into an API error: the
// code's name, then the broker's message (or Kafka's description of the
// code), with the status a browser can act on.
func kafkaError(err error, brokerMessage, field string) error {
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		return err
	}
	msg := brokerMessage
	if msg == "" {
		msg = ke.Description
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, kerr.UnknownTopicOrPartition), errors.Is(err, kerr.GroupIDNotFound), errors.Is(err, kerr.UnknownTopicID):
		status = http.StatusNotFound
	case errors.Is(err, kerr.TopicAlreadyExists), errors.Is(err, kerr.NonEmptyGroup):
		status = http.StatusConflict
	case ke.Retriable:
		status = http.StatusServiceUnavailable
	}
	return &apiError{Status: status, Code: ke.Message, Field: field, Message: ke.Message + ": " + msg}
}

func (c *Console) serveAPI(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r)
		status := http.StatusOK
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				c.log.Warn("console API call failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ae = &apiError{Status: http.StatusBadGateway, Message: "asking the broker: " + err.Error()}
			}
			status, v = ae.Status, ae
		} else if cr, ok := v.(created); ok {
			status, v = http.StatusCreated, cr.v
		}
		body, err := json.Marshal(v)
		if err != nil {
			c.log.Error("console: encoding an answer", "path", r.URL.Path, "err", err)
			http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(append(body, '\n'))
	})
}

// maxBody bounds a request body; the largest is a produced test message.
const maxBody = 4 << 20

// decodeBody reads a JSON request body into dst. It insists on
// application/json: a cross-site HTML form cannot send that without the
// browser asking first, so another site cannot drive the console's writes.
func decodeBody(r *http.Request, dst any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &apiError{Status: http.StatusUnsupportedMediaType, Message: "the request body must be JSON (Content-Type: application/json)"}
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return badField(te.Field, "want a %s, got a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
		case errors.As(err, &se):
			return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("the request body is not valid JSON (at byte %d): %v", se.Offset, err)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return badField(name, "unknown field")
		default:
			return &apiError{Status: http.StatusBadRequest, Message: "reading the request body: " + err.Error()}
		}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "whole number"
	case strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "map", goKind == "struct":
		return "JSON object"
	case goKind == "slice":
		return "JSON array"
	}
	return goKind
}
