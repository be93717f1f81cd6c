package dev.ttstack.operator.kit;

import dev.ttstack.operator.api.TTStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.api.config.workflow.WorkflowSpec;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The stack's JOSDK workflow, as the components register it: each component adds its own nodes
 * ({@link StackComponent#register}), and both the reconciler ({@link #spec()}) and {@code render}
 * ({@link #render}) read this one registration, so what render prints and what the operator applies
 * cannot drift apart.
 *
 * <p>A node is one JOSDK dependent: its name, type and informer (one of {@link StackInformers}),
 * what it {@code dependsOn}, the readiness that gates the nodes below it, and when it is wanted at
 * all. A spec rule ({@link Node#onlyIf}) is read by both sides: render leaves the object out, and
 * the reconcile precondition it becomes deletes it (JOSDK deletes a dependent whose precondition
 * fails). Every Kubernetes object node says how render builds it from the spec alone, or why render
 * leaves it out ({@link Node#notRendered}); {@link #unexplained()} lists the ones that do neither.
 */
public final class StackWorkflow {
  /**
   * The gates a component may {@code dependsOn} without knowing who registers them: ready when this
   * reconcile's SecretsSynced, PostgresReady and RedisClusterReady are True.
   */
  public static final String SECRETS_SYNCED = "secrets-synced";

  public static final String POSTGRES_READY = "postgres-ready";

  /**
   * Ready when no change waits for a PostgreSQL backup, or that backup succeeded ({@link
   * PreChangeBackup}).
   */
  public static final String PRE_CHANGE_BACKUP = "postgres-pre-change-backup";

  public static final String REDIS_CLUSTER_READY = "redis-cluster-ready";

  private final Map<String, Node> nodes = new LinkedHashMap<>();

  /** The workflow the components register, in their order. */
  public static StackWorkflow of(List<? extends StackComponent> components) {
    StackWorkflow workflow = new StackWorkflow();
    components.forEach(c -> c.register(workflow));
    return workflow;
  }

  /** Adds a node; names are unique (JOSDK links {@code dependsOn} by name). */
  public Node add(String name, Class<? extends DependentResource<?, TTStack>> type) {
    if (nodes.containsKey(name)) {
      throw new IllegalArgumentException("workflow node " + name + " is registered twice");
    }
    Node node = new Node(name, type);
    nodes.put(name, node);
    return node;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  /** What render prints for the stack: every rendered node whose spec rule holds, in order. */
  public List<HasMetadata> render(TTStack stack) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Node node : nodes.values()) {
      if (node.render != null && (node.specRule == null || node.specRule.test(stack))) {
        objects.add(node.render.apply(stack));
      }
    }
    return objects;
  }

  /** Kubernetes object nodes that neither render nor say why not (a test keeps this empty). */
  public List<String> unexplained() {
    return nodes.values().stream()
        .filter(n -> n.render == null && n.notRenderedBecause == null && n.informer != null)
        .map(n -> n.name)
        .toList();
  }

  /**
   * The registration as JOSDK's workflow: invoked explicitly by the reconciler (an invalid spec
   * never reaches a dependent). Fails on a {@code dependsOn} that names no node.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public WorkflowSpec spec() {
    List<DependentResourceSpec> specs = new ArrayList<>();
    for (Node node : nodes.values()) {
      for (String parent : node.dependsOn) {
        if (!nodes.containsKey(parent)) {
          throw new IllegalStateException(
              "workflow node " + node.name + " dependsOn " + parent + ", which is not registered");
        }
      }
      specs.add(
          new DependentResourceSpec(
              (Class) node.type,
              node.name,
              Set.copyOf(node.dependsOn),
              node.ready,
              node.reconcileCondition(),
              null,
              null,
              node.informer));
    }
    List<DependentResourceSpec> frozen = List.copyOf(specs);
    return new WorkflowSpec() {
      @Override
      public List<DependentResourceSpec> getDependentResourceSpecs() {
        return frozen;
      }

      @Override
      public boolean isExplicitInvocation() {
        return true;
      }

      @Override
      public boolean handleExceptionsInReconciler() {
        return false;
      }
    };
  }

  /** One dependent of the workflow. */
  public static final class Node {
    private final String name;
    private final Class<? extends DependentResource<?, TTStack>> type;
    private final Set<String> dependsOn = new LinkedHashSet<>();
    private String informer;
    private Condition<?, ?> ready;
    private Condition<?, ?> precondition;
    private Predicate<TTStack> specRule;
    private Function<TTStack, ? extends HasMetadata> render;
    private String notRenderedBecause;

    private Node(String name, Class<? extends DependentResource<?, TTStack>> type) {
      this.name = name;
      this.type = type;
    }

    public String name() {
      return name;
    }

    public Class<? extends DependentResource<?, TTStack>> type() {
      return type;
    }

    /** The {@link StackInformers} informer the dependent reads its object from. */
    public Node informer(String eventSourceName) {
      this.informer = eventSourceName;
      return this;
    }

    public Node dependsOn(String... names) {
      dependsOn.addAll(List.of(names));
      return this;
    }

    /** The nodes that depend on this one run only once this holds (JOSDK readyPostcondition). */
    public Node readyWhen(Condition<?, ?> condition) {
      this.ready = condition;
      return this;
    }

    /**
     * A rule on what the reconcile found (JOSDK reconcilePrecondition): when it fails, JOSDK
     * deletes the object and every node below this one.
     */
    public Node reconcileWhen(Condition<?, ?> condition) {
      this.precondition = condition;
      return this;
    }

    /** Wanted only when the spec says so: render leaves it out, the reconcile deletes it. */
    public Node onlyIf(Predicate<TTStack> rule) {
      this.specRule = rule;
      return this;
    }

    /** How render builds the object from the spec alone (no plan, no API call). */
    public Node renders(Function<TTStack, ? extends HasMetadata> builder) {
      this.render = builder;
      return this;
    }

    /** Why render leaves this object out (e.g. it holds secret values). */
    public Node notRendered(String because) {
      this.notRenderedBecause = because;
      return this;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Condition<?, ?> reconcileCondition() {
      if (precondition == null && specRule == null) {
        return null;
      }
      Predicate<TTStack> rule = specRule == null ? stack -> true : specRule;
      Condition extra = precondition;
      return (Condition<Object, TTStack>)
          (dependent, stack, context) ->
              rule.test(stack) && (extra == null || extra.isMet(dependent, stack, context));
    }
  }
}
