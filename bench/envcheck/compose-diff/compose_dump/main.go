// compose_dump: prints what compose-go's dotenv parser (the one `docker compose` runs) makes
// of each file: "ERROR", or one "hex(key) hex(value)" line per variable, sorted, then "END".
package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

func main() {
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Println("IOERR")
			continue
		}
		m, err := dotenv.ParseWithLookup(f, os.LookupEnv)
		f.Close()
		if err != nil {
			fmt.Println("ERROR")
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("%s %s\n", hex.EncodeToString([]byte(k)), hex.EncodeToString([]byte(m[k])))
		}
		fmt.Println("END")
	}
}
