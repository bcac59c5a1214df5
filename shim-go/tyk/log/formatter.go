package log

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/sirupsen/logrus"
)

// FieldMap renames the keys JSONFormatter writes (time, msg, level, ...).
type FieldMap struct {
	fields map[string]string
}

// NewFieldMap builds a FieldMap from logrus' key -> name map.
func NewFieldMap(fMap logrus.FieldMap) FieldMap {
	m := make(map[string]string, len(fMap))
	for k, v := range fMap {
		m[string(k)] = v
	}
	return FieldMap{fields: m}
}

// Resolve is the name field is written under (field itself when not renamed).
func (f FieldMap) Resolve(field string) string {
	if name, ok := f.fields[field]; ok {
		return name
	}
	return field
}

// JSONFormatter writes an entry as one JSON object: its fields (errors as
// their text; nested under DataKey when set), then time (unless disabled),
// message and level under the names FieldMap gives them.
type JSONFormatter struct {
	// TimestampFormat is a time.Format layout for the time field.
	TimestampFormat string
	// DisableTimestamp omits the time field.
	DisableTimestamp bool
	// DataKey, when set, nests all entry fields under this key.
	DataKey string
	// FieldMap renames the keys written.
	FieldMap FieldMap
}

// Format implements logrus.Formatter.
func (f *JSONFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	data := make(logrus.Fields, len(entry.Data)+4)
	for k, v := range entry.Data {
		if err, ok := v.(error); ok {
			v = err.Error()
		}
		data[k] = v
	}
	if f.DataKey != "" {
		data = logrus.Fields{f.DataKey: data}
	}
	if v, ok := entry.Data[logrus.ErrorKey]; ok {
		if err, isErr := v.(error); isErr {
			v = err.Error()
		}
		data[f.FieldMap.Resolve(logrus.FieldKeyLogrusError)] = v
	}
	if !f.DisableTimestamp {
		data[f.FieldMap.Resolve(logrus.FieldKeyTime)] = entry.Time.Format(f.TimestampFormat)
	}
	data[f.FieldMap.Resolve(logrus.FieldKeyMsg)] = entry.Message
	data[f.FieldMap.Resolve(logrus.FieldKeyLevel)] = entry.Level.String()
	var out bytes.Buffer
	err := json.NewEncoder(&out).Encode(data)
	return out.Bytes(), err
}

// FlatMap is a flattened map: dotted paths to text values.
type FlatMap map[string]string

// Flatten turns nested maps, slices and structs into dotted keys ("a.b",
// "list.0", "S.Field") with text values: booleans as true/false, integers
// in decimal, floats with %f, nil as "". Other kinds are an error.
func Flatten(data map[string]interface{}) (FlatMap, error) {
	out := FlatMap{}
	for k, v := range data {
		if err := flattenValue(out, k, reflect.ValueOf(v)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func flattenValue(out FlatMap, key string, v reflect.Value) error {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Invalid:
		out[key] = ""
	case reflect.Bool:
		out[key] = fmt.Sprint(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out[key] = fmt.Sprintf("%d", v.Int())
	case reflect.Float32, reflect.Float64:
		out[key] = fmt.Sprintf("%f", v.Float())
	case reflect.String:
		out[key] = v.String()
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if k.Kind() == reflect.Interface {
				k = k.Elem()
			}
			if k.Kind() != reflect.String {
				return fmt.Errorf("%s: map key is not a string: %v", key, k)
			}
			if err := flattenValue(out, key+"."+k.String(), v.MapIndex(k)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := flattenValue(out, fmt.Sprintf("%s.%d", key, i), v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if err := flattenValue(out, key+"."+v.Type().Field(i).Name, v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("Unknown: %s", v)
	}
	return nil
}
