package middleware

import (
	"encoding/json"
	"net/http"
	"strings"

	"plugin-dev/util/logger"
)

type ResponseMessage struct {
	Message    string `json:"message"`
	StatusCode int    `json:"status_code"`
}

var required = []string{"Client", "CorrelationID"}

// ValidateHeaders answers 400 with the list of required headers missing.
func ValidateHeaders(rw http.ResponseWriter, r *http.Request) {
	var missing []string
	for _, h := range required {
		if r.Header.Get(h) == "" {
			missing = append(missing, h)
		}
	}
	if len(missing) == 0 {
		return
	}
	logger.Info("required headers missing: " + strings.Join(missing, ", "))
	body, err := json.Marshal(ResponseMessage{Message: "Missing required headers: " + strings.Join(missing, ", "), StatusCode: http.StatusBadRequest})
	if err != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusBadRequest)
	_, _ = rw.Write(body)
}
