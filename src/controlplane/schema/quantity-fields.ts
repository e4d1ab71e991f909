/**
 * Fields whose Kubernetes type is resource.Quantity. client-node types them as plain strings (or
 * maps/lists of strings), which would hide that `cpu: 1` is as valid as `cpu: "1"`; this table
 * (client-node model → JSON field names) restores the Quantity type. It covers the stable (v1/v2)
 * models of client-node 2.0.1 (Kubernetes 1.36).
 */
export const QUANTITY_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries({
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1LimitRangeItem: ['default', 'defaultRequest', 'max', 'maxLimitRequestRatio', 'min'],
  V1NodeStatus: ['allocatable', 'capacity'],
  V1PersistentVolumeClaimStatus: ['allocatedResources', 'capacity'],
  V1PersistentVolumeSpec: ['capacity'],
  V1PodSpec: ['overhead'],
  V1PodStatus: ['allocatedResources'],
  V1ContainerStatus: ['allocatedResources'],
  V1NodeAllocatableResourceClaimStatus: ['resources'],
  V1ResourceFieldSelector: ['divisor'],
  V1ResourceQuotaSpec: ['hard'],
  V1ResourceQuotaStatus: ['hard', 'used'],
  V1Overhead: ['podFixed'],
  V1CSIStorageCapacity: ['capacity', 'maximumVolumeSize'],
  V2MetricTarget: ['averageValue', 'value'],
  V2MetricValueStatus: ['averageValue', 'value'],
  V2HPAScalingRules: ['tolerance'],
  V1CapacityRequestPolicy: ['default', 'validValues'],
  V1CapacityRequestPolicyRange: ['max', 'min', 'step'],
  V1CapacityRequirements: ['requests'],
  V1Counter: ['value'],
  V1DeviceCapacity: ['value'],
  V1DeviceRequestAllocationResult: ['consumedCapacity'],
  V1NodeAllocatableResourceMapping: ['allocationMultiplier'],
}).map(([model, fields]) => [model, new Set(fields)]));
