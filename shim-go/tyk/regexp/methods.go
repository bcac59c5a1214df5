package regexp

// The methods of the standard library's *regexp.Regexp, each answering as
// Tyk's wrapper does when the Regexp holds no expression (re.Regexp nil):
// false, "", 0, a nil index, or an empty slice, as each one's doc says.

import "io"

// NumSubexp is the number of parenthesized subexpressions (0 without an expression).
func (re *Regexp) NumSubexp() int {
	if re.Regexp == nil {
		return 0
	}
	return re.Regexp.NumSubexp()
}

// SubexpNames names the subexpressions (empty without an expression).
func (re *Regexp) SubexpNames() []string {
	if re.Regexp == nil {
		return []string{}
	}
	return re.Regexp.SubexpNames()
}

// LiteralPrefix is the literal every match begins with ("", false without an expression).
func (re *Regexp) LiteralPrefix() (prefix string, complete bool) {
	if re.Regexp == nil {
		return "", false
	}
	return re.Regexp.LiteralPrefix()
}

// MatchReader reports whether the text read from r matches (false without an expression).
func (re *Regexp) MatchReader(r io.RuneReader) bool {
	if re.Regexp == nil {
		return false
	}
	return re.Regexp.MatchReader(r)
}

// MatchString reports whether s matches (false without an expression).
func (re *Regexp) MatchString(s string) bool {
	if re.Regexp == nil {
		return false
	}
	return re.Regexp.MatchString(s)
}

// Match reports whether b matches (false without an expression).
func (re *Regexp) Match(b []byte) bool {
	if re.Regexp == nil {
		return false
	}
	return re.Regexp.Match(b)
}

// ReplaceAllString replaces matches, expanding $ in repl ("" without an expression).
func (re *Regexp) ReplaceAllString(src, repl string) string {
	if re.Regexp == nil {
		return ""
	}
	return re.Regexp.ReplaceAllString(src, repl)
}

// ReplaceAllLiteralString replaces matches with repl as is ("" without an expression).
func (re *Regexp) ReplaceAllLiteralString(src, repl string) string {
	if re.Regexp == nil {
		return ""
	}
	return re.Regexp.ReplaceAllLiteralString(src, repl)
}

// ReplaceAllStringFunc replaces matches with repl's answer ("" without an expression).
func (re *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	if re.Regexp == nil {
		return ""
	}
	return re.Regexp.ReplaceAllStringFunc(src, repl)
}

// ReplaceAll replaces matches, expanding $ in repl (empty without an expression).
func (re *Regexp) ReplaceAll(src, repl []byte) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.ReplaceAll(src, repl)
}

// ReplaceAllLiteral replaces matches with repl as is (empty without an expression).
func (re *Regexp) ReplaceAllLiteral(src, repl []byte) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.ReplaceAllLiteral(src, repl)
}

// ReplaceAllFunc replaces matches with repl's answer (empty without an expression).
func (re *Regexp) ReplaceAllFunc(src []byte, repl func([]byte) []byte) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.ReplaceAllFunc(src, repl)
}

// Find is the leftmost match (empty without an expression).
func (re *Regexp) Find(b []byte) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.Find(b)
}

// FindIndex locates the leftmost match (nil without an expression).
func (re *Regexp) FindIndex(b []byte) (loc []int) {
	if re.Regexp == nil {
		return nil
	}
	return re.Regexp.FindIndex(b)
}

// FindString is the leftmost match ("" without an expression).
func (re *Regexp) FindString(s string) string {
	if re.Regexp == nil {
		return ""
	}
	return re.Regexp.FindString(s)
}

// FindStringIndex locates the leftmost match (nil without an expression).
func (re *Regexp) FindStringIndex(s string) (loc []int) {
	if re.Regexp == nil {
		return nil
	}
	return re.Regexp.FindStringIndex(s)
}

// FindReaderIndex locates the leftmost match in r (nil without an expression).
func (re *Regexp) FindReaderIndex(r io.RuneReader) (loc []int) {
	if re.Regexp == nil {
		return nil
	}
	return re.Regexp.FindReaderIndex(r)
}

// FindSubmatch is the leftmost match and its submatches (empty without an expression).
func (re *Regexp) FindSubmatch(b []byte) [][]byte {
	if re.Regexp == nil {
		return [][]byte{}
	}
	return re.Regexp.FindSubmatch(b)
}

// Expand appends template, with $ references filled from match, to dst (empty without an expression).
func (re *Regexp) Expand(dst []byte, template []byte, src []byte, match []int) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.Expand(dst, template, src, match)
}

// ExpandString is Expand for a string template and source (empty without an expression).
func (re *Regexp) ExpandString(dst []byte, template string, src string, match []int) []byte {
	if re.Regexp == nil {
		return []byte{}
	}
	return re.Regexp.ExpandString(dst, template, src, match)
}

// FindSubmatchIndex locates the leftmost match and its submatches (empty without an expression).
func (re *Regexp) FindSubmatchIndex(b []byte) []int {
	if re.Regexp == nil {
		return []int{}
	}
	return re.Regexp.FindSubmatchIndex(b)
}

// FindStringSubmatch is the leftmost match and its submatches (empty without an expression).
func (re *Regexp) FindStringSubmatch(s string) []string {
	if re.Regexp == nil {
		return []string{}
	}
	return re.Regexp.FindStringSubmatch(s)
}

// FindStringSubmatchIndex locates the leftmost match and its submatches (empty without an expression).
func (re *Regexp) FindStringSubmatchIndex(s string) []int {
	if re.Regexp == nil {
		return []int{}
	}
	return re.Regexp.FindStringSubmatchIndex(s)
}

// FindReaderSubmatchIndex locates the leftmost match in r and its submatches (empty without an expression).
func (re *Regexp) FindReaderSubmatchIndex(r io.RuneReader) []int {
	if re.Regexp == nil {
		return []int{}
	}
	return re.Regexp.FindReaderSubmatchIndex(r)
}

// FindAll is up to n matches, all if n < 0 (empty without an expression).
func (re *Regexp) FindAll(b []byte, n int) [][]byte {
	if re.Regexp == nil {
		return [][]byte{}
	}
	return re.Regexp.FindAll(b, n)
}

// FindAllIndex locates up to n matches (empty without an expression).
func (re *Regexp) FindAllIndex(b []byte, n int) [][]int {
	if re.Regexp == nil {
		return [][]int{}
	}
	return re.Regexp.FindAllIndex(b, n)
}

// FindAllString is up to n matches (empty without an expression).
func (re *Regexp) FindAllString(s string, n int) []string {
	if re.Regexp == nil {
		return []string{}
	}
	return re.Regexp.FindAllString(s, n)
}

// FindAllStringIndex locates up to n matches (empty without an expression).
func (re *Regexp) FindAllStringIndex(s string, n int) [][]int {
	if re.Regexp == nil {
		return [][]int{}
	}
	return re.Regexp.FindAllStringIndex(s, n)
}

// FindAllSubmatch is up to n matches with their submatches (empty without an expression).
func (re *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte {
	if re.Regexp == nil {
		return [][][]byte{}
	}
	return re.Regexp.FindAllSubmatch(b, n)
}

// FindAllSubmatchIndex locates up to n matches with their submatches (empty without an expression).
func (re *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	if re.Regexp == nil {
		return [][]int{}
	}
	return re.Regexp.FindAllSubmatchIndex(b, n)
}

// FindAllStringSubmatch is up to n matches with their submatches (empty without an expression).
func (re *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	if re.Regexp == nil {
		return [][]string{}
	}
	return re.Regexp.FindAllStringSubmatch(s, n)
}

// FindAllStringSubmatchIndex locates up to n matches with their submatches (empty without an expression).
func (re *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if re.Regexp == nil {
		return [][]int{}
	}
	return re.Regexp.FindAllStringSubmatchIndex(s, n)
}

// Split slices s around the matches, into at most n pieces (empty without an expression).
func (re *Regexp) Split(s string, n int) []string {
	if re.Regexp == nil {
		return []string{}
	}
	return re.Regexp.Split(s, n)
}
