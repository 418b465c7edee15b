// Package lokitest makes Loki protobuf push bodies for tests, with the
// protobuf project's own encoder (dynamicpb) from a descriptor written
// from Loki's push.proto (package logproto): the same message names,
// field numbers and types, so the bytes are those a Loki client sends.
// No Go Loki client installs here (Loki's Go types are AGPL-licensed;
// Promtail, Alloy and Vector are not packaged), so the tests that use this
// stand for them; the Node test with winston-loki is the real client.
package lokitest

import (
	"time"

	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Stream is one stream of a push: its labels as Loki writes them
// ({app="api"}) and its entries.
type Stream struct {
	Labels  string
	Entries []Entry
}

// Entry is one line with its time and structured metadata.
type Entry struct {
	Time     time.Time
	Line     string
	Metadata [][2]string // name, value
}

var (
	pushRequest, streamAdapter, entryAdapter, labelPair protoreflect.MessageDescriptor
)

func init() {
	str := descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
	msg := descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
	u64 := descriptorpb.FieldDescriptorProto_TYPE_UINT64.Enum()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	field := func(name string, num int32, label *descriptorpb.FieldDescriptorProto_Label, typ *descriptorpb.FieldDescriptorProto_Type, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), JsonName: proto.String(name), Number: proto.Int32(num), Label: label, Type: typ}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	fd := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("pkg/push/push.proto"),
		Package:    proto.String("logproto"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/timestamp.proto"},
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("PushRequest"), Field: []*descriptorpb.FieldDescriptorProto{
				field("streams", 1, rep, msg, ".logproto.StreamAdapter"),
				field("format", 2, opt, str, ""),
			}},
			{Name: proto.String("StreamAdapter"), Field: []*descriptorpb.FieldDescriptorProto{
				field("labels", 1, opt, str, ""),
				field("entries", 2, rep, msg, ".logproto.EntryAdapter"),
				field("hash", 3, opt, u64, ""),
			}},
			{Name: proto.String("LabelPairAdapter"), Field: []*descriptorpb.FieldDescriptorProto{
				field("name", 1, opt, str, ""),
				field("value", 2, opt, str, ""),
			}},
			{Name: proto.String("EntryAdapter"), Field: []*descriptorpb.FieldDescriptorProto{
				field("timestamp", 1, opt, msg, ".google.protobuf.Timestamp"),
				field("line", 2, opt, str, ""),
				field("structuredMetadata", 3, rep, msg, ".logproto.LabelPairAdapter"),
				field("parsed", 4, rep, msg, ".logproto.LabelPairAdapter"),
			}},
		},
	}
	_ = timestamppb.Now // registers google/protobuf/timestamp.proto
	f, err := protodesc.NewFile(fd, protoregistry.GlobalFiles)
	if err != nil {
		panic("lokitest: " + err.Error())
	}
	m := f.Messages()
	pushRequest, streamAdapter, labelPair, entryAdapter = m.ByName("PushRequest"), m.ByName("StreamAdapter"), m.ByName("LabelPairAdapter"), m.ByName("EntryAdapter")
}

// Marshal encodes a PushRequest in protobuf, uncompressed.
func Marshal(streams []Stream) []byte {
	req := dynamicpb.NewMessage(pushRequest)
	list := req.Mutable(pushRequest.Fields().ByName("streams")).List()
	for _, s := range streams {
		sm := dynamicpb.NewMessage(streamAdapter)
		sm.Set(streamAdapter.Fields().ByName("labels"), protoreflect.ValueOfString(s.Labels))
		entries := sm.Mutable(streamAdapter.Fields().ByName("entries")).List()
		for _, e := range s.Entries {
			em := dynamicpb.NewMessage(entryAdapter)
			em.Set(entryAdapter.Fields().ByName("timestamp"), protoreflect.ValueOfMessage(timestamppb.New(e.Time).ProtoReflect()))
			em.Set(entryAdapter.Fields().ByName("line"), protoreflect.ValueOfString(e.Line))
			meta := em.Mutable(entryAdapter.Fields().ByName("structuredMetadata")).List()
			for _, kv := range e.Metadata {
				lm := dynamicpb.NewMessage(labelPair)
				lm.Set(labelPair.Fields().ByName("name"), protoreflect.ValueOfString(kv[0]))
				lm.Set(labelPair.Fields().ByName("value"), protoreflect.ValueOfString(kv[1]))
				meta.Append(protoreflect.ValueOfMessage(lm))
			}
			entries.Append(protoreflect.ValueOfMessage(em))
		}
		list.Append(protoreflect.ValueOfMessage(sm))
	}
	b, err := proto.Marshal(req)
	if err != nil {
		panic("lokitest: " + err.Error())
	}
	return b
}

// Body is a push request body as a Loki client sends it: the protobuf,
// snappy-compressed in the block format.
func Body(streams []Stream) []byte {
	return snappy.Encode(nil, Marshal(streams))
}
