package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// DecodeError is a document of a manifest that could not be decoded.
type DecodeError struct {
	// Index is the 0-based position of the document in the stream,
	// counting empty documents.
	Index int
	Err   error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("kube: manifest document %d (0-based): %v", e.Index, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode splits a multi-document YAML (or JSON) manifest into objects. Empty
// and comment-only documents are skipped; a List (kind ending in "List" with
// items) is expanded into its items. Every object must have apiVersion, kind
// and metadata.name (server-side apply needs a name).
func Decode(manifest []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifest)))
	var out []*unstructured.Unstructured
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &DecodeError{Index: i, Err: err}
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, &DecodeError{Index: i, Err: err}
		}
		if len(m) == 0 {
			continue // only comments, or "null"
		}
		u := &unstructured.Unstructured{Object: m}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, &DecodeError{Index: i, Err: err}
			}
			for j := range list.Items {
				item := list.Items[j]
				if err := checkObject(&item); err != nil {
					return nil, &DecodeError{Index: i, Err: fmt.Errorf("item %d: %w", j, err)}
				}
				out = append(out, &item)
			}
			continue
		}
		if err := checkObject(u); err != nil {
			return nil, &DecodeError{Index: i, Err: err}
		}
		out = append(out, u)
	}
}

func checkObject(u *unstructured.Unstructured) error {
	var missing []string
	if u.GetAPIVersion() == "" {
		missing = append(missing, "apiVersion")
	}
	if u.GetKind() == "" {
		missing = append(missing, "kind")
	}
	if u.GetName() == "" {
		missing = append(missing, "metadata.name")
	}
	if len(missing) > 0 {
		what := u.GetKind()
		if what == "" {
			what = "object"
		}
		return fmt.Errorf("%s has no %s", what, strings.Join(missing, ", "))
	}
	if _, err := schema.ParseGroupVersion(u.GetAPIVersion()); err != nil {
		return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}
