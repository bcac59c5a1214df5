package main

// CompressResponse gzips the upstream's answer on its way to the client.

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"

	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func CompressResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	if res.Header.Get("Content-Encoding") != "" {
		return // already encoded upstream
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		logger.Error("compress: ", err)
		return
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	logger.Info("compress: ", len(body), " -> ", buf.Len(), " bytes")
	res.ContentLength = int64(buf.Len())
	res.Header.Set("Content-Length", strconv.Itoa(buf.Len()))
	res.Header.Set("Content-Encoding", "gzip")
	res.Body = io.NopCloser(&buf)
}

func main() {}
