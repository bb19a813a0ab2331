// Command compose-lint loads a Compose file the way `docker compose config` does, with
// compose-spec/compose-go (the loader inside Docker Compose), and prints the normalized model or
// the errors. It needs no Docker engine, so CI can validate docker-compose.yml anywhere Go runs.
//
//	compose-lint [-f docker-compose.yml]... [--project-directory DIR] [--format yaml|json] [-q]
//
// Exit status 0 when the file is valid, 1 with the loader's message on stderr when it is not,
// 2 for a bad command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var files fileList
	flag.Var(&files, "f", "a Compose file (repeatable; default: compose.yaml or docker-compose.yml)")
	projectDir := flag.String("project-directory", "", "the project directory (default: the first file's)")
	format := flag.String("format", "yaml", "output format: yaml or json")
	quiet := flag.Bool("q", false, "only validate; print nothing")
	flag.Parse()
	if flag.NArg() > 0 || (*format != "yaml" && *format != "json") {
		flag.Usage()
		os.Exit(2)
	}
	out, err := render(context.Background(), files, *projectDir, *format)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-lint: %v\n", err)
		os.Exit(1)
	}
	if !*quiet {
		os.Stdout.Write(out)
	}
}

// render follows docker/compose: cmd/compose (toProjectOptions, then the options of `config`)
// and pkg/compose (profiles, unused resources, env_file resolution, container name check).
func render(ctx context.Context, files []string, projectDir, format string) ([]byte, error) {
	options, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(projectDir),
		cli.WithOsEnv, // the environment wins over .env
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(),
		cli.WithName(""),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		return nil, err
	}
	project, err := options.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	project = project.WithoutUnnecessaryResources()
	if project, err = project.WithServicesEnvironmentResolved(true); err != nil {
		return nil, err
	}
	if err := project.CheckContainerNameUnicity(); err != nil {
		return nil, err
	}
	if len(project.Services) == 0 {
		return nil, errors.New("no service is defined")
	}
	return marshal(project, format)
}

func marshal(project *types.Project, format string) ([]byte, error) {
	var out []byte
	var err error
	if format == "json" {
		out, err = project.MarshalJSON()
	} else {
		out, err = project.MarshalYAML()
	}
	if err != nil {
		return nil, err
	}
	// As `docker compose config`: literal dollars in the output are escaped for re-reading.
	out = []byte(strings.ReplaceAll(string(out), "$", "$$"))
	if format == "json" && !strings.HasSuffix(string(out), "\n") {
		out = append(out, '\n')
	}
	return out, nil
}
