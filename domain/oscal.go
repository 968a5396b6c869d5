package domain

import (
	"crypto/sha1"
	"fmt"
)

// OSCAL documents Assure writes (catalogs, assessment results, plans of
// action and milestones) share their version, the namespace of the names
// Assure adds, and how they derive UUIDs: from a name, so the same content
// always gives the same document.
const (
	// OSCALVersion is the version of OSCAL the documents conform to.
	OSCALVersion = "1.2.2"
	// OSCALNamespace qualifies the names of the props Assure adds.
	OSCALNamespace = "https://assure.example/ns/oscal"
)

// urlNamespace is the RFC 9562 namespace UUID for names that are URLs.
var urlNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// oscalNamespace is the namespace of Assure's OSCAL UUIDs: the version 5
// UUID of OSCALNamespace in the URL namespace.
var oscalNamespace = uuidV5(urlNamespace, OSCALNamespace)

// OSCALUUID returns the UUID of name in Assure's OSCAL documents: a version
// 5 (SHA-1, name-based) UUID, the same for the same name everywhere.
func OSCALUUID(name string) string {
	u := uuidV5(oscalNamespace, name)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// uuidV5 is the RFC 9562 version 5 UUID of name in namespace ns.
func uuidV5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}
