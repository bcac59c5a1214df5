package main

// Request/response capture for API discovery: a post hook notes when the
// request arrived (in the session's metadata) and a response hook sends the
// whole exchange (method, path, headers and bodies of both sides, status,
// times) to a telemetry collector, leaving both bodies intact for the client.
//
// APICLARITY_HOST (host:port) names the collector; telemetry is POSTed to
// http://$APICLARITY_HOST/api/telemetry.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

const requestTimeKey = "request_time"

type header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type common struct {
	Body          []byte   `json:"body"` // base64 in JSON
	Headers       []header `json:"headers"`
	Version       string   `json:"version"`
	Time          int64    `json:"time"`
	TruncatedBody bool     `json:"truncatedBody"`
}

type telemetry struct {
	DestinationAddress string `json:"destinationAddress"`
	RequestID          string `json:"requestID"`
	Scheme             string `json:"scheme"`
	SourceAddress      string `json:"sourceAddress"`
	Request            struct {
		Common common `json:"common"`
		Host   string `json:"host"`
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"request"`
	Response struct {
		Common     common `json:"common"`
		StatusCode string `json:"statusCode"`
	} `json:"response"`
}

const maxBody = 1 << 20

var (
	logger    = log.Get()
	collector string
	client    = &http.Client{Timeout: 5 * time.Second}
)

func init() {
	collector = os.Getenv("APICLARITY_HOST")
	logger.Info("telemetry plugin: collector ", collector)
}

func nowMillis() int64 { return time.Now().UTC().UnixNano() / int64(time.Millisecond) }

func headersOf(h http.Header) []header {
	out := []header{}
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, header{k, v})
		}
	}
	return out
}

// readBody reads at most maxBody bytes and puts the whole body back.
func readBody(rc io.ReadCloser) ([]byte, io.ReadCloser, bool, error) {
	if rc == nil {
		return nil, nil, false, nil
	}
	all, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, io.NopCloser(bytes.NewReader(nil)), false, err
	}
	restored := io.NopCloser(bytes.NewReader(all))
	if len(all) > maxBody {
		return all[:maxBody], restored, true, nil
	}
	return all, restored, false, nil
}

// PostGetAPIDefinition runs as a post hook.
func PostGetAPIDefinition(_ http.ResponseWriter, r *http.Request) {
	def := ctx.GetDefinition(r)
	session := ctx.GetSession(r)
	if session == nil {
		session = &user.SessionState{}
	}
	if session.MetaData == nil {
		session.MetaData = map[string]interface{}{}
	}
	session.MetaData[requestTimeKey] = nowMillis()
	ctx.SetSession(r, session, false, false)
	if def != nil {
		ctx.SetDefinition(r, def)
	}
}

func destination(def *apidef.APIDefinition) (string, string) {
	u, err := url.Parse(def.Proxy.TargetURL)
	if err != nil {
		return "", ""
	}
	return u.Hostname(), u.Port()
}

// ResponseSendTelemetry runs as a response hook.
func ResponseSendTelemetry(_ http.ResponseWriter, res *http.Response, req *http.Request) {
	def := ctx.GetDefinition(req)
	session := ctx.GetSession(req)
	if def == nil || session == nil {
		logger.Error("telemetry: no definition or session")
		return
	}
	started, ok := session.MetaData[requestTimeKey].(int64)
	if !ok {
		logger.Error(fmt.Sprintf("telemetry: request time has type %T", session.MetaData[requestTimeKey]))
		return
	}
	var t telemetry
	var err error
	host, port := destination(def)
	t.Request.Common.Body, req.Body, t.Request.Common.TruncatedBody, err = readBody(req.Body)
	if err != nil {
		logger.Error("telemetry: request body: ", err)
		return
	}
	t.Response.Common.Body, res.Body, t.Response.Common.TruncatedBody, err = readBody(res.Body)
	if err != nil {
		logger.Error("telemetry: response body: ", err)
		return
	}
	t.DestinationAddress = ":" + port
	t.RequestID = req.Header.Get("X-Request-Id")
	if t.RequestID == "" {
		t.RequestID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	t.Scheme = req.URL.Scheme
	t.SourceAddress = req.RemoteAddr
	t.Request.Common.Headers = headersOf(req.Header)
	t.Request.Common.Version = req.Proto
	t.Request.Common.Time = started
	t.Request.Host = host
	t.Request.Method = req.Method
	t.Request.Path = req.URL.RequestURI()
	t.Response.Common.Headers = headersOf(res.Header)
	t.Response.Common.Version = res.Proto
	t.Response.Common.Time = nowMillis()
	t.Response.StatusCode = strconv.Itoa(res.StatusCode)

	payload, err := json.Marshal(t)
	if err != nil {
		return
	}
	post, err := client.Post("http://"+collector+"/api/telemetry", "application/json", bytes.NewReader(payload))
	if err != nil {
		logger.Error("telemetry: collector unreachable: ", err)
		return
	}
	post.Body.Close()
	logger.Info("telemetry has been sent")
}

func main() {}
