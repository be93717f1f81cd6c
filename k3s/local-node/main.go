// Command local-node is the local stand-in for the k3s node that TTStack's tests run on: one binary
// that runs upstream Kubernetes components as subcommands, the way k3s itself does
// ("local-node kube-apiserver --etcd-servers=..."). It is test infrastructure only: nothing of it
// ships, and the product stays Java. cluster.sh starts and stops it; build.sh builds it.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	_ "time/tzdata" // CronJob time zones, as the upstream kube-apiserver/controller-manager mains do

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // kubectl's auth plugins, as upstream kubectl does
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json, as upstream
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream
	_ "k8s.io/component-base/metrics/prometheus/version"  // the version metric, as upstream
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// components maps each subcommand to the upstream command it runs. Each builds its cobra command
// only when chosen: their flag sets and metric registries are global and must not all be set up.
var components = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	// The node (cluster.sh up --node): as upstream's cmd/kubelet and cmd/kube-proxy mains.
	"kubelet":    func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
	"kube-proxy": proxy.NewProxyCommand,
}

func main() {
	name, args := component(os.Args)
	switch {
	case name == "etcd":
		// etcdmain reads os.Args itself; give it the etcd command line as if it were its own binary.
		etcdmain.Main(append([]string{"etcd"}, args...))
	case name == "kubectl":
		os.Args = append([]string{"kubectl"}, args...)
		logs.GlogSetter(kubectl.GetLogVerbosity(os.Args)) //nolint:errcheck // as upstream kubectl
		if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	case components[name] != nil:
		command := components[name]()
		command.SetArgs(args)
		os.Exit(cli.Run(command))
	default:
		fmt.Fprintf(os.Stderr, "usage: local-node COMPONENT [FLAGS...]\ncomponents: %s\n", strings.Join(names(), ", "))
		os.Exit(2)
	}
}

// component picks the component from argv[0] (a symlink named after it) or else from the first
// argument, and returns it with the arguments that are the component's own.
func component(argv []string) (string, []string) {
	if base := filepath.Base(argv[0]); base == "etcd" || base == "kubectl" || components[base] != nil {
		return base, argv[1:]
	}
	if len(argv) < 2 {
		return "", nil
	}
	return argv[1], argv[2:]
}

func names() []string {
	all := []string{"etcd", "kubectl"}
	for name := range components {
		all = append(all, name)
	}
	sort.Strings(all)
	return all
}
