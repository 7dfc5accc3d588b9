package schema

//go:generate go run ./gen -yang ../../../shared/yang/24.4R1 -o junos_gen.go
