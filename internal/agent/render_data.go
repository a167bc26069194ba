package agent

// Values are data, never manifest text.
//
// A pack's manifests are Go text/templates, but what an action prints
// ({{ .Values.image }}, {{ .spectro.var.env }}, {{ toYaml .Values.x }}) is
// never spliced into the manifest's text: every printing action is rewritten
// (as html/template does with its escapers) to print a placeholder, a word
// made of letters and digits around a random nonce, and record its value.
// The output, whose structure comes from the template alone, is parsed as
// YAML; each placeholder is then replaced inside the scalar that holds it,
// and the documents are encoded again. A value can therefore change what a
// scalar says, never add a document, a key or an object, whatever it holds
// ("---", newlines, quotes, "key: value", flow brackets, comments, tags).
//
// Ordinary values render as they did when they were spliced as text: a
// value that is a whole plain scalar and whose text is one plain or quoted
// YAML scalar on one line stays that scalar (2 is still a number,
// "busybox:1.36" a string, {{ quote }}'s output a quoted string); any other
// text becomes a quoted string holding exactly that text. In a block scalar
// (| or >) a value's lines keep the indentation of its first line. toYaml's
// value, when it is a whole scalar of its own, becomes the YAML node of the
// data (a mapping stays a mapping); indent and nindent write their
// whitespace into the template's output, before the placeholder, so the
// usual `{{- toYaml .Values.x | nindent 4 }}` places the node where it did.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"

	yaml "go.yaml.in/yaml/v3"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// printFunc is the function appended to every printing action's pipeline.
const printFunc = "_paletteValue"

// shaped is what toYaml, indent and nindent return: a value with the
// whitespace indent and nindent put before it (lead), kept apart from the
// data so that it goes into the manifest's text and the data into a scalar.
type shaped struct {
	// v is toYaml's data when node is set.
	v    any
	node bool
	// raw is the value's text without lead: toYaml's YAML, or the text
	// given to indent.
	raw string
	// lead is the whitespace written before the placeholder.
	lead string
	// text is what the function returned when values were text: a shaped
	// passed to another function (quote, b64enc, printf) is this text.
	text string
}

func (s shaped) String() string { return s.text }

func toYAML(v any) (shaped, error) {
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		return shaped{}, fmt.Errorf("toYaml: %w", err)
	}
	text := strings.TrimSuffix(string(b), "\n")
	return shaped{v: v, node: true, raw: text, text: text}, nil
}

// indentShaped is indent (newline false) and nindent (true).
func indentShaped(n int, v any, newline bool) shaped {
	s, ok := v.(shaped)
	if !ok {
		t := fmt.Sprint(v)
		s = shaped{raw: t, text: t}
	}
	s.lead = indent(n, s.lead)
	s.text = indent(n, s.text)
	if newline {
		s.lead, s.text = "\n"+s.lead, "\n"+s.text
	}
	return s
}

// printed is the text of a value as text/template prints it.
func printed(v any) string {
	switch t := v.(type) {
	case nil:
		return "<no value>"
	case shaped:
		return t.raw
	}
	return fmt.Sprint(v)
}

// renderer renders one manifest.
type renderer struct {
	nonce  string
	tokens *regexp.Regexp
	values []any
}

func newRenderer() *renderer {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	nonce := "zpalette" + hex.EncodeToString(b[:])
	return &renderer{nonce: nonce, tokens: regexp.MustCompile(nonce + `n([0-9]+)x`)}
}

// placeholder records a printed value and returns what the template prints
// in its place.
func (r *renderer) placeholder(v any) string {
	r.values = append(r.values, v)
	tok := r.nonce + "n" + strconv.Itoa(len(r.values)-1) + "x"
	if s, ok := v.(shaped); ok {
		return s.lead + tok
	}
	return tok
}

// readable replaces the placeholders in a message with "{{…}}".
func (r *renderer) readable(s string) string {
	return r.tokens.ReplaceAllString(s, "{{…}}")
}

// capture makes every action of every template of t that prints something
// print through printFunc.
func capture(t *template.Template) {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Root != nil {
			captureList(tt.Tree, tt.Root)
		}
	}
}

func captureList(tree *parse.Tree, l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			// {{ $x := … }} and {{ $x = … }} print nothing.
			if len(n.Pipe.Decl) > 0 {
				continue
			}
			n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
				NodeType: parse.NodeCommand,
				Pos:      n.Pos,
				Args:     []parse.Node{parse.NewIdentifier(printFunc).SetTree(tree).SetPos(n.Pos)},
			})
		case *parse.IfNode:
			captureList(tree, n.List)
			captureList(tree, n.ElseList)
		case *parse.RangeNode:
			captureList(tree, n.List)
			captureList(tree, n.ElseList)
		case *parse.WithNode:
			captureList(tree, n.List)
			captureList(tree, n.ElseList)
		case *parse.ListNode:
			captureList(tree, n)
		}
	}
}

// documents parses the template's output and puts the values in their
// scalars. Empty and null documents are dropped.
func (r *renderer) documents(out string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(out))
	var docs []*yaml.Node
	for {
		var d yaml.Node
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the manifest is not YAML: %s", r.readable(err.Error()))
		}
		if err := r.fill(&d, false); err != nil {
			return nil, err
		}
		if len(d.Content) == 0 || (d.Content[0].Kind == yaml.ScalarNode && d.Content[0].Tag == "!!null") {
			continue
		}
		docs = append(docs, &d)
	}
	return docs, nil
}

// errNotScalar is a placeholder outside a scalar.
func errNotScalar(where string) error {
	return fmt.Errorf("a value or variable can only be used in a YAML scalar, not in %s", where)
}

// fill replaces the placeholders of n and its children, in place (an alias
// keeps pointing at its anchor), and drops comments (a value in a comment
// is not data).
func (r *renderer) fill(n *yaml.Node, key bool) error {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	if strings.Contains(n.Anchor, r.nonce) {
		return errNotScalar("an anchor")
	}
	if strings.Contains(n.Tag, r.nonce) {
		return errNotScalar("a tag")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if strings.Contains(n.Value, r.nonce) {
			return errNotScalar("an alias")
		}
		return nil
	case yaml.ScalarNode:
		if err := r.fillScalar(n, key); err != nil {
			return err
		}
		if n.Tag == "!!merge" && n.Style&yaml.TaggedStyle == 0 {
			// The encoder would write a merge key "<<" as "!!merge <<".
			n.Tag = ""
		}
		return nil
	}
	for i, c := range n.Content {
		if err := r.fill(c, n.Kind == yaml.MappingNode && i%2 == 0); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) value(s string) (any, error) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(r.values) {
		return nil, errors.New("internal error: unknown value placeholder")
	}
	return r.values[i], nil
}

const (
	quotedStyles = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle
	blockStyles  = yaml.LiteralStyle | yaml.FoldedStyle
)

func (r *renderer) fillScalar(n *yaml.Node, key bool) error {
	locs := r.tokens.FindAllStringSubmatchIndex(n.Value, -1)
	if len(locs) == 0 {
		return nil
	}
	tagged := n.Style & yaml.TaggedStyle
	// toYaml's data, the whole of a plain scalar, is a node of its own.
	if !key && tagged == 0 && n.Style&(quotedStyles|blockStyles) == 0 && len(locs) == 1 && locs[0][0] == 0 && locs[0][1] == len(n.Value) {
		v, err := r.value(n.Value[locs[0][2]:locs[0][3]])
		if err != nil {
			return err
		}
		if s, ok := v.(shaped); ok && s.node {
			var d yaml.Node
			if err := d.Encode(s.v); err != nil {
				return fmt.Errorf("toYaml: %w", err)
			}
			anchor := n.Anchor
			*n = d
			n.Anchor = anchor
			return nil
		}
	}
	block := n.Style&blockStyles != 0
	var b strings.Builder
	last := 0
	for _, l := range locs {
		b.WriteString(n.Value[last:l[0]])
		v, err := r.value(n.Value[l[2]:l[3]])
		if err != nil {
			return err
		}
		text := printed(v)
		if block {
			text = strings.ReplaceAll(text, "\n", "\n"+lineIndent(n.Value, l[0]))
		}
		b.WriteString(text)
		last = l[1]
	}
	b.WriteString(n.Value[last:])
	text := b.String()
	switch {
	case block:
		// Literal or folded: the encoder writes any text in it, or
		// quotes it when it cannot.
	case n.Style&quotedStyles != 0:
		n.Style = yaml.DoubleQuotedStyle | tagged
	default:
		if s, ok := oneScalar(text); ok {
			n.Value, n.Style = s.Value, s.Style|tagged
			if tagged == 0 {
				n.Tag = s.Tag
			}
			return nil
		}
		n.Style = yaml.DoubleQuotedStyle | tagged
	}
	n.Value = text
	if tagged == 0 {
		n.Tag = "!!str"
	}
	return nil
}

// lineIndent is the whitespace that starts the line of s holding pos.
func lineIndent(s string, pos int) string {
	line := s[strings.LastIndexByte(s[:pos], '\n')+1 : pos]
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// oneScalar parses text as YAML and returns its scalar when text is, on one
// line, exactly one plain or quoted scalar: no document marker, key,
// sequence, flow collection, comment, anchor, alias or tag. Empty text is
// the empty plain scalar (null), as it was when values were text.
func oneScalar(text string) (*yaml.Node, bool) {
	if text == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, true
	}
	if strings.ContainsAny(text, "\n\r\u0085\u2028\u2029") {
		return nil, false
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	var d yaml.Node
	if err := dec.Decode(&d); err != nil {
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, false
	}
	if d.Kind != yaml.DocumentNode || len(d.Content) != 1 || d.HeadComment+d.LineComment+d.FootComment != "" {
		return nil, false
	}
	s := d.Content[0]
	if s.Kind != yaml.ScalarNode || s.Anchor != "" || s.Style&(yaml.TaggedStyle|blockStyles) != 0 ||
		s.HeadComment+s.LineComment+s.FootComment != "" {
		return nil, false
	}
	if s.Style&quotedStyles == 0 && s.Value != text {
		return nil, false
	}
	return s, true
}

// encodeDocuments writes docs as a multi-document YAML stream and checks
// that it reads back as exactly as many documents.
func encodeDocuments(docs []*yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	if len(docs) == 0 {
		return nil, nil
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encoding the rendered manifest: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding the rendered manifest: %w", err)
	}
	// The documents the apply will read: as many as were rendered.
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(buf.Bytes())))
	n := 0
	for {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the rendered manifest back: %w", err)
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			n++
		}
	}
	if n != len(docs) {
		return nil, fmt.Errorf("internal error: %d documents rendered, %d read back", len(docs), n)
	}
	return buf.Bytes(), nil
}
