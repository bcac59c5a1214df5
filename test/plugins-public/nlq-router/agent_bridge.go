package main

// A natural-language front for an OAS API. A gorilla/mux router inside the
// pre hook sorts requests to the API:
//
//   - PUT or DELETE with an X-Nl-Config header: plugin configuration, answered
//     by the plugin (200);
//   - POST with Content-Type application/nlq: the body is a question in plain
//     words; the operation of the API's OpenAPI document whose summary and
//     x-nl-input-examples share the most words with it is chosen, and the
//     request is rewritten to that operation (path, method, query parameters
//     named in the question as name=value); the answer is turned into text
//     by the response hook;
//   - anything else goes upstream untouched.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/TykTechnologies/tyk/apidef/oas"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

const (
	contentTypeNLQ = "application/nlq"
	headerNLConfig = "X-Nl-Config"

	metaNLQuery      = "NLQuery"
	metaResponseType = "ResponseType"
	responseTypeNL   = "nl"

	defaultRelevance = 0.5
)

var (
	logger = log.Get()

	configMu  sync.Mutex
	relevance = map[string]float64{} // per API id, set through X-Nl-Config
)

type parameter struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type operation struct {
	OperationID string      `json:"operationId"`
	Summary     string      `json:"summary"`
	Examples    []string    `json:"x-nl-input-examples"`
	Parameters  []parameter `json:"parameters"`
}

type candidate struct {
	path, method string
	op           operation
	score        float64
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if len(w) > 2 {
			out[w] = true
		}
	}
	return out
}

// score: the share of the operation's vocabulary found in the question.
func score(question map[string]bool, op operation) float64 {
	vocab := words(op.Summary + " " + strings.Join(op.Examples, " "))
	if len(vocab) == 0 {
		return 0
	}
	hit := 0
	for w := range vocab {
		if question[w] {
			hit++
		}
	}
	return float64(hit) / float64(len(vocab))
}

// operations lists the document's operations. It goes through JSON so that it
// reads the paths whichever shape kin-openapi gives them (a map, or *Paths).
func operations(doc *oas.OAS) []candidate {
	raw, err := json.Marshal(doc.Paths)
	if err != nil {
		return nil
	}
	paths := map[string]map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &paths); err != nil {
		return nil
	}
	var out []candidate
	for path, item := range paths {
		for method, body := range item {
			var op operation
			if json.Unmarshal(body, &op) != nil || op.OperationID == "" {
				continue
			}
			out = append(out, candidate{path: path, method: strings.ToUpper(method), op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op.OperationID < out[j].op.OperationID })
	return out
}

func apiID(doc *oas.OAS) string {
	if x := doc.GetTykExtension(); x != nil {
		return x.Info.ID
	}
	return ""
}

func threshold(doc *oas.OAS) float64 {
	configMu.Lock()
	defer configMu.Unlock()
	if v, ok := relevance[apiID(doc)]; ok {
		return v
	}
	return defaultRelevance
}

func processPluginConfig(rw http.ResponseWriter, r *http.Request) {
	doc := ctx.GetOASDefinition(r)
	if doc == nil {
		http.Error(rw, "not an OAS API", http.StatusInternalServerError)
		return
	}
	configMu.Lock()
	defer configMu.Unlock()
	switch r.Method {
	case http.MethodDelete:
		delete(relevance, apiID(doc))
	case http.MethodPut:
		v, err := strconv.ParseFloat(r.Header.Get(headerNLConfig), 64)
		if err != nil {
			http.Error(rw, "X-Nl-Config must be a relevance threshold", http.StatusBadRequest)
			return
		}
		relevance[apiID(doc)] = v
	}
	rw.WriteHeader(http.StatusOK)
}

func selectAndRewrite(rw http.ResponseWriter, r *http.Request) {
	doc := ctx.GetOASDefinition(r)
	if doc == nil {
		http.Error(rw, "not an OAS API", http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, "cannot read the question", http.StatusInternalServerError)
		return
	}
	question := string(body)
	qwords := words(question)
	var best *candidate
	for _, c := range operations(doc) {
		c := c
		c.score = score(qwords, c.op)
		if best == nil || c.score > best.score {
			best = &c
		}
	}
	if best == nil || best.score < threshold(doc) {
		http.Error(rw, "No matching operation found", http.StatusNotFound)
		return
	}
	logger.Debug(fmt.Sprintf("nlq: %q -> %s (%.2f)", question, best.op.OperationID, best.score))

	query := url.Values{}
	for _, p := range best.op.Parameters {
		if p.In != "query" {
			continue
		}
		for _, field := range strings.Fields(question) {
			if v := strings.TrimPrefix(field, p.Name+"="); v != field {
				query.Set(p.Name, strings.Trim(v, ".,?!"))
			}
		}
	}
	ctx.SetSession(r, &user.SessionState{MetaData: map[string]interface{}{
		metaNLQuery:      question,
		metaResponseType: responseTypeNL,
	}}, false)
	r.Method = best.method
	r.URL.Path = best.path
	r.URL.RawQuery = query.Encode()
	r.Body = io.NopCloser(strings.NewReader(""))
	r.ContentLength = 0
	r.Header.Del("Content-Type")
}

func router() *mux.Router {
	m := mux.NewRouter()
	m.PathPrefix("/").HandlerFunc(processPluginConfig).Methods(http.MethodPut, http.MethodDelete).HeadersRegexp(headerNLConfig, ".*")
	m.PathPrefix("/").HandlerFunc(selectAndRewrite).Methods(http.MethodPost).Headers("Content-Type", contentTypeNLQ)
	return m
}

var routes = router()

// APIBridgeAgent is the pre hook.
func APIBridgeAgent(rw http.ResponseWriter, r *http.Request) {
	var match mux.RouteMatch
	if routes.Match(r, &match) && match.Handler != nil {
		match.Handler.ServeHTTP(rw, r)
	}
}

// APIBridgeAgentResponse is the response hook: answers to questions become text.
func APIBridgeAgentResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	session := ctx.GetSession(req)
	if session == nil || session.MetaData[metaResponseType] != responseTypeNL {
		return
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		raw = nil
	}
	text := fmt.Sprintf("You asked: %s\nThe API answered %s: %s", session.MetaData[metaNLQuery], res.Status, strings.TrimSpace(string(raw)))
	res.StatusCode = http.StatusOK
	res.Status = "200 OK"
	res.Header.Del("Content-Encoding")
	res.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res.Header.Set("Content-Length", strconv.Itoa(len(text)))
	res.ContentLength = int64(len(text))
	res.Body = io.NopCloser(strings.NewReader(text))
}

func init() {
	logger.Info("API bridge agent plugin loaded")
}

func main() {}
