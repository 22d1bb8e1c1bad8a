package callback

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// maxXMLDepth bounds the nesting of an XML event; Whispir's has three levels.
const maxXMLDepth = 32

// xmlNode is an element of an XML event: its local name in lower case, its
// text and its child elements. Attributes and namespaces are not kept.
type xmlNode struct {
	name     string
	chars    []byte
	children []*xmlNode
}

// xmlRoot decodes an XML event: one deliveryResponse element (any
// namespace), with nothing but white space, comments and processing
// instructions around it.
func xmlRoot(body []byte) (fields, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var root *xmlNode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil {
				return nil, malformed("xml: more than one root element")
			}
			if !strings.EqualFold(t.Name.Local, "deliveryResponse") {
				return nil, malformed("xml: the root element is not deliveryResponse")
			}
			if root, err = readNode(d, t, 1); err != nil {
				return nil, err
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, malformed("xml: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, malformed("xml: no root element")
	}
	return root, nil
}

// readNode reads the element that start opened, up to its end.
func readNode(d *xml.Decoder, start xml.StartElement, depth int) (*xmlNode, error) {
	n := &xmlNode{name: strings.ToLower(start.Name.Local)}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth >= maxXMLDepth {
				return nil, malformed("xml: elements nested more than %d deep", maxXMLDepth)
			}
			c, err := readNode(d, t, depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, c)
		case xml.EndElement:
			return n, nil
		case xml.CharData:
			n.chars = append(n.chars, t...)
		}
	}
}

// xmlError describes a decoding error without quoting the document:
// encoding/xml's messages name its elements and encodings.
func xmlError(err error) error {
	if se := (*xml.SyntaxError)(nil); errors.As(err, &se) {
		return malformed("xml: syntax error on line %d", se.Line)
	}
	return malformed("xml: the document cannot be read (only UTF-8 is supported)")
}

// one returns the child element called name; ok is false when there is
// none. Repeated elements must be equal.
func (n *xmlNode) one(name string) (*xmlNode, bool, error) {
	var found *xmlNode
	for _, c := range n.children {
		if c.name != name {
			continue
		}
		if found != nil && !found.equal(c) {
			return nil, false, errConflict
		}
		found = c
	}
	return found, found != nil, nil
}

func (n *xmlNode) equal(o *xmlNode) bool {
	if n.name != o.name || !bytes.Equal(n.chars, o.chars) || len(n.children) != len(o.children) {
		return false
	}
	for i, c := range n.children {
		if !c.equal(o.children[i]) {
			return false
		}
	}
	return true
}

func (n *xmlNode) text(name string) (string, bool, error) {
	c, ok, err := n.one(name)
	if !ok || err != nil {
		return "", false, err
	}
	if len(c.children) != 0 {
		return "", false, errWantString
	}
	return string(c.chars), true, nil
}

func (n *xmlNode) object(name string) (fields, bool, error) {
	c, ok, err := n.one(name)
	if !ok || err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(c.chars)) != 0 {
		return nil, false, errWantObject
	}
	return c, true, nil
}

// params reads <name><entry><key>k</key><value>v</value></entry>...</name>.
// Elements other than entry are ignored; a later entry with the same key
// wins, as a repeated JSON member does.
func (n *xmlNode) params(name string) (map[string]string, bool, error) {
	c, ok, err := n.one(name)
	if !ok || err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(c.chars)) != 0 {
		return nil, false, errWantObject
	}
	out := map[string]string{}
	for _, e := range c.children {
		if e.name != "entry" {
			continue
		}
		k, ok, err := e.text("key")
		if err != nil || !ok || k == "" {
			return nil, false, errors.New("an entry has no key")
		}
		v, _, err := e.text("value")
		if err != nil {
			return nil, false, errors.New("a value is not a string")
		}
		out[k] = v
	}
	return out, true, nil
}
