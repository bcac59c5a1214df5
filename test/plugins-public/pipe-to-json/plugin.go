package main

// A legacy upstream answers with pipe-delimited text; clients get JSON.
// AddCustomHeader (pre) marks requests for the upstream; MyPluginResponse
// (response) turns "a|b|c" into {"field_1":"a","field_2":"b","field_3":"c"}.

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strconv"
)

func AddCustomHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("X-Custom-Header", "Legacy Gateway")
}

func MyPluginResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Add("X-Response-Added", "resp-added")
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(rw, "Error reading response body", http.StatusInternalServerError)
		return
	}
	res.Body.Close()
	fields := map[string]string{}
	for i, part := range bytes.Split(bytes.TrimRight(raw, "\r\n"), []byte("|")) {
		fields["field_"+strconv.Itoa(i+1)] = string(part)
	}
	out, err := json.Marshal(fields)
	if err != nil {
		http.Error(rw, "Error converting data to JSON", http.StatusInternalServerError)
		return
	}
	log.Printf("pipe-to-json: %d fields", len(fields))
	res.Body = io.NopCloser(bytes.NewReader(out))
	res.ContentLength = int64(len(out))
	res.Header.Set("Content-Length", strconv.Itoa(len(out)))
	res.Header.Set("Content-Type", "application/json")
}

func main() {}
