package dev.ttstack.operator.api;

/** Fate of data volumes when a TTStack is deleted. */
public enum DeletionPolicy {
  /** Keep every PersistentVolumeClaim; a TTStack re-created with the same name re-attaches them. */
  Retain,
  /** Delete the PersistentVolumeClaims with the TTStack. */
  Delete
}
