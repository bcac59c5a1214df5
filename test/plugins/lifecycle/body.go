package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Tyk makes the request body re-readable before every Go plugin hook (it
// wraps it in a buffer that rewinds when read to EOF, and seeks it back to
// the start before each hook), so none of these hooks restores what it read.

// BodyParseFormThenRead parses the form, then reads the body again.
func BodyParseFormThenRead(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		r.Header.Set("X-Form-Error", err.Error())
	}
	b, _ := io.ReadAll(r.Body)
	r.Header.Set("X-Read-Len", strconv.Itoa(len(b)))
	r.Header.Set("X-Form-B", r.Form.Get("b"))
}

// BodyReadFirst and BodyReadSecond read the whole body and report it.
func BodyReadFirst(rw http.ResponseWriter, r *http.Request) { reportBody(r, "X-First") }

func BodyReadSecond(rw http.ResponseWriter, r *http.Request) { reportBody(r, "X-Second") }

func reportBody(r *http.Request, prefix string) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		r.Header.Set(prefix+"-Error", err.Error())
	}
	r.Header.Set(prefix+"-Len", strconv.Itoa(len(b)))
	r.Header.Set(prefix+"-Body", string(b))
}

// BodyParseMultipart parses a multipart form and reports a field and a file.
func BodyParseMultipart(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		r.Header.Set("X-Multipart-Error", err.Error())
		return
	}
	r.Header.Set("X-Form-Name", r.FormValue("name"))
	if files := r.MultipartForm.File["file"]; len(files) == 1 {
		r.Header.Set("X-Form-File", files[0].Filename+":"+strconv.FormatInt(files[0].Size, 10))
	}
}

// BodyFormValueAgain runs after BodyParseMultipart and reads the form again.
func BodyFormValueAgain(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Post-Form-Name", r.FormValue("name"))
}

// BodyReplace replaces the body with "new body".
func BodyReplace(rw http.ResponseWriter, r *http.Request) {
	r.Body = io.NopCloser(strings.NewReader("new body"))
	r.ContentLength = 8
}
