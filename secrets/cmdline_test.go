package secrets

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// containerYAML is a Deployment with one container of image, command and
// args (nil for none).
func containerYAML(image string, command, args []string) string {
	list := func(key string, items []string) string {
		if items == nil {
			return ""
		}
		b, _ := json.Marshal(items)
		return "\n        " + key + ": " + string(b)
	}
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ml}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
      - name: c
        image: ` + image + list("command", command) + list("args", args) + "\n"
}

// itemValues returns "path|name|part|text" of the command and args values
// of a container.
func itemValues(t *testing.T, image string, command, args []string) []string {
	t.Helper()
	inv := mustLoad(t, containerYAML(image, command, args))
	var out []string
	for _, v := range Values(inv.Objects()[0], OriginSource) {
		if v.Field == FieldArg || v.Field == FieldCommand {
			p := strings.TrimPrefix(v.Path, "spec.template.spec.containers[0].")
			out = append(out, fmt.Sprintf("%s|%s|%d|%s", p, v.Name, v.Part, v.Text))
		}
	}
	return out
}

func TestCommandLineNaming(t *testing.T) {
	for _, tc := range []struct {
		name          string
		command, args []string
		want          []string
	}{
		{"flag=value", nil, []string{"--api-key=K1"},
			[]string{"args[0]|--api-key|0|--api-key=K1"}},
		{"flag then value", nil, []string{"--api-key", "K1", "serve"},
			[]string{"args[0]||0|--api-key", "args[1]|--api-key|0|K1", "args[2]||0|serve"}},
		{"single-letter flag", nil, []string{"-k", "K1"},
			[]string{"args[0]||0|-k", "args[1]|-k|0|K1"}},
		{"Go-style single-dash flag", nil, []string{"-api-key", "K1"},
			[]string{"args[0]||0|-api-key", "args[1]|-api-key|0|K1"}},
		// an item with an attached value names nothing
		{"attached value", nil, []string{"-pHunter2Secret", "db"},
			[]string{"args[0]||0|-pHunter2Secret", "args[1]||0|db"}},
		{"command names args", []string{"server", "--token"}, []string{"K1"},
			[]string{"command[0]||0|server", "command[1]||0|--token", "args[0]|--token|0|K1"}},
		{"NAME=VALUE item", []string{"env", "DB_PASSWORD=pw1", "run"}, nil,
			[]string{"command[0]||0|env", "command[1]||0|DB_PASSWORD=pw1", "command[1]|DB_PASSWORD|1|pw1", "command[2]||0|run"}},
		{"mysql -p", []string{"mysql", "-pHunter2Secret", "db"}, nil,
			[]string{"command[0]||0|mysql", "command[1]||0|-pHunter2Secret", "command[1]|--password|3|Hunter2Secret", "command[2]||0|db"}},
		{"mysql --password=", []string{"/usr/bin/mysqldump", "--password=pw2"}, nil,
			[]string{"command[0]||0|/usr/bin/mysqldump", "command[1]|--password|0|--password=pw2", "command[1]|--password|3|pw2"}},
		{"mysql -p alone prompts", []string{"mysql", "-p", "db"}, nil,
			[]string{"command[0]||0|mysql", "command[1]||0|-p", "command[2]|-p|0|db"}},
		{"-p of another program", []string{"server", "-pHunter2Secret"}, nil,
			[]string{"command[0]||0|server", "command[1]||0|-pHunter2Secret"}},
		{"curl -u next item", []string{"curl", "-u", "svc:pw3"}, []string{"https://x"},
			[]string{"command[0]||0|curl", "command[1]||0|-u", "command[2]|-u|0|svc:pw3", "command[2]|--user|2|pw3", "args[0]||0|https://x"}},
		{"curl -u attached, program from the image", nil, []string{"-usvc:pw4", "--user=a:pw5", "--user", "b:pw6", "-u", "nopassword"},
			[]string{"args[0]||0|-usvc:pw4", "args[0]|--user|2|pw4", "args[1]|--user|0|--user=a:pw5", "args[1]|--user|2|pw5",
				"args[2]||0|--user", "args[3]|--user|0|b:pw6", "args[3]|--user|2|pw6", "args[4]||0|-u", "args[5]|-u|0|nopassword"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := itemValues(t, "curlimages/curl:8.8.0", tc.command, tc.args)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestCommandLineScripts(t *testing.T) {
	for _, tc := range []struct {
		name          string
		image         string
		command, args []string
		want          []string // name|part|text of the parts (Part != PartWhole)
	}{
		{"sh -c in command", "busybox", []string{"sh", "-c", "export A_TOKEN=t1 B=2 && run --x"}, nil,
			[]string{"A_TOKEN|1|t1", "B|1|2"}},
		{"script in args", "busybox", []string{"/bin/bash", "-ec"}, []string{"DB_PASSWORD='p w' ./migrate; echo done"},
			[]string{"DB_PASSWORD|1|p w"}},
		{"sh in args only, from the image", "bash:5", nil, []string{"-c", `export K="v1" && curl -u u:pw1 https://x | tee`},
			[]string{"K|1|v1", "--user|2|pw1"}},
		{"nested shell", "busybox", []string{"sh", "-c", `bash -c "export INNER_SECRET=s1"`}, nil,
			[]string{"INNER_SECRET|1|s1"}},
		{"mysql in a script", "busybox", []string{"sh", "-c", "mysql -uroot -pPw7Secret app < dump.sql"}, nil,
			[]string{"--password|3|Pw7Secret"}},
		{"prefix commands", "busybox", []string{"sh", "-c", "exec env API_KEY=k1 nohup curl --user=a:pw2 x"}, nil,
			[]string{"API_KEY|1|k1", "--user|2|pw2"}},
		{"expansions are not literals", "busybox", []string{"sh", "-c", "export A=$B C=${D} E=$(cat /f) F=`cat /g`; curl -u u:$PW x"}, nil,
			nil},
		{"escaped quotes and newlines", "busybox", []string{"sh", "-c", "export A=\"x\\\"y\"\nexport B=z\\\n2"}, nil,
			[]string{`A|1|x"y`, "B|1|z2"}},
		{"not a shell: -c is an option", "busybox", []string{"python", "-c", "export A=1"}, nil,
			nil},
		{"positional args after the script are not scripts", "busybox", []string{"sh", "-c", "run", "export A=1"}, nil,
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			inv := mustLoad(t, containerYAML(tc.image, tc.command, tc.args))
			for _, v := range Values(inv.Objects()[0], OriginSource) {
				if v.Part != PartWhole {
					got = append(got, fmt.Sprintf("%s|%d|%s", v.Name, v.Part, v.Text))
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parts\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestShellCommands(t *testing.T) {
	got := shellCommands("a b;c 'd e'|f \"g\\\"h\" && i\\ j\n(k)")
	want := [][]string{{"a", "b"}, {"c", "d e"}, {"f", `g"h`}, {"i j"}, {"k"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shellCommands = %q, want %q", got, want)
	}
	// unterminated quotes end at the end of the script
	if got := shellCommands(`a 'b c`); !reflect.DeepEqual(got, [][]string{{"a", "b c"}}) {
		t.Errorf("unterminated: %q", got)
	}
	// words are bounded
	if got := shellCommands(strings.Repeat("w ", 2*maxScriptWords)); len(got[0]) != maxScriptWords {
		t.Errorf("%d words", len(got[0]))
	}
}
