package dev.ttstack.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A persistent volume request. Kubernetes cannot shrink a volume nor move it to another storage
 * class, so the API server refuses both changes instead of letting the operator fail later.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.storageClassName) == has(oldSelf.storageClassName)"
            + " && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",
    message = "storageClassName cannot be changed once the volume exists")
@ValidationRule(
    value =
        "!has(self.size) || !has(oldSelf.size)"
            + " || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0",
    message = "size cannot be decreased (volumes can only grow)")
public class StorageSpec {

  @Pattern(Patterns.STORAGE_SIZE)
  @JsonPropertyDescription("Requested size, e.g. 10Gi. The default depends on the component.")
  public String size;

  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription(
      "StorageClass of the volume; unset uses the cluster's default class (local-path on k3s).")
  public String storageClassName;

  public StorageSpec() {}

  public StorageSpec(String size) {
    this.size = size;
  }

  /** The size asked for, else the component's {@code fallback}. */
  public static String sizeOr(StorageSpec storage, String fallback) {
    return storage == null || storage.size == null ? fallback : storage.size;
  }
}
