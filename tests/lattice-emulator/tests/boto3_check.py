"""A third-party check of the Lattice emulator: boto3's `vpc-lattice` client
drives every operation the emulator serves and checks the answers.

Usage: python3 boto3_check.py http://127.0.0.1:PORT

The emulator must be fresh (no resources) and list in small pages.
"""

import json
import sys
import unittest

import boto3
from botocore.config import Config

ENDPOINT = None
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
        ],
    }
)


def client():
    return boto3.client(
        "vpc-lattice",
        endpoint_url=ENDPOINT,
        region_name="us-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        # The emulator, not botocore, must reject invalid members.
        config=Config(
            retries={"mode": "standard", "max_attempts": 5}, parameter_validation=False
        ),
    )


def all_items(lattice, operation, **kwargs):
    """Every item of a list operation, through boto3's paginator."""
    pages = lattice.get_paginator(operation).paginate(**kwargs)
    return [item for page in pages for item in page["items"]]


def error_code(call, **kwargs):
    """The error code and HTTP status `call(**kwargs)` fails with."""
    try:
        call(**kwargs)
    except lattice_errors() as error:
        return (
            error.response["Error"]["Code"],
            error.response["ResponseMetadata"]["HTTPStatusCode"],
        )
    raise AssertionError(f"{call.__name__} did not fail")


def lattice_errors():
    import botocore.exceptions

    return botocore.exceptions.ClientError


class Boto3Check(unittest.TestCase):
    """One scenario in order: the state carries from step to step."""

    def test_every_operation(self):
        lattice = client()

        # Service networks.
        network = lattice.create_service_network(name="mesh", tags={"team": "net"})
        self.assertEqual(network["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(network["authType"], "NONE")
        for index in range(3):
            lattice.create_service_network(name=f"mesh-{index}")
        names = [item["name"] for item in all_items(lattice, "list_service_networks")]
        self.assertEqual(names, ["mesh", "mesh-0", "mesh-1", "mesh-2"])
        updated = lattice.update_service_network(
            serviceNetworkIdentifier=network["id"], authType="AWS_IAM"
        )
        self.assertEqual(updated["authType"], "AWS_IAM")
        read = lattice.get_service_network(serviceNetworkIdentifier=network["arn"])
        self.assertEqual(read["authType"], "AWS_IAM")
        self.assertEqual(
            error_code(lattice.create_service_network, name="mesh"),
            ("ConflictException", 409),
        )
        self.assertEqual(
            error_code(lattice.create_service_network, name="Bad_Name"),
            ("ValidationException", 400),
        )

        # VPC associations.
        vpc = lattice.create_service_network_vpc_association(
            serviceNetworkIdentifier=network["id"],
            vpcIdentifier="vpc-0a1b2c3d4e5f60001",
            securityGroupIds=["sg-0123456789abcdef0"],
        )
        self.assertEqual(vpc["status"], "CREATE_IN_PROGRESS")
        listed = all_items(
            lattice,
            "list_service_network_vpc_associations",
            serviceNetworkIdentifier=network["id"],
        )
        self.assertEqual([item["status"] for item in listed], ["ACTIVE"])
        changed = lattice.update_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=vpc["id"],
            securityGroupIds=["sg-0123456789abcdef1"],
        )
        self.assertEqual(changed["securityGroupIds"], ["sg-0123456789abcdef1"])
        fetched = lattice.get_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=vpc["id"]
        )
        self.assertEqual(fetched["securityGroupIds"], ["sg-0123456789abcdef1"])
        self.assertEqual(fetched["vpcId"], "vpc-0a1b2c3d4e5f60001")
        extra = lattice.create_service_network_vpc_association(
            serviceNetworkIdentifier=network["id"], vpcIdentifier="vpc-0a1b2c3d4e5f60009"
        )
        deleted = lattice.delete_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=extra["id"]
        )
        self.assertEqual(deleted["status"], "DELETE_IN_PROGRESS")
        self.assertEqual(
            error_code(
                lattice.get_service_network_vpc_association,
                serviceNetworkVpcAssociationIdentifier=extra["id"],
            ),
            ("ResourceNotFoundException", 404),
        )

        # Services, with a client token.
        service = lattice.create_service(
            name="rates-default", clientToken="rates-1", tags={"team": "payments"}
        )
        self.assertEqual(service["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(service["status"], "CREATE_IN_PROGRESS")
        again = lattice.create_service(
            name="rates-default", clientToken="rates-1", tags={"team": "payments"}
        )
        self.assertEqual(again["id"], service["id"])
        self.assertEqual(
            error_code(lattice.create_service, name="other", clientToken="rates-1"),
            ("ConflictException", 409),
        )
        lattice.create_service(name="quotes-default")
        lattice.create_service(name="users-default")
        services = all_items(lattice, "list_services")
        self.assertEqual(len(services), 3)
        self.assertNotIn("tags", services[0])
        self.assertEqual(
            lattice.get_service(serviceIdentifier=service["id"])["status"], "ACTIVE"
        )
        self.assertEqual(
            lattice.update_service(serviceIdentifier=service["arn"], authType="AWS_IAM")[
                "authType"
            ],
            "AWS_IAM",
        )
        self.assertEqual(
            error_code(lattice.get_service, serviceIdentifier="svc-0000000000000ffff"),
            ("ResourceNotFoundException", 404),
        )

        # Service network service associations.
        association = lattice.create_service_network_service_association(
            serviceIdentifier=service["id"], serviceNetworkIdentifier=network["id"]
        )
        self.assertEqual(association["status"], "CREATE_IN_PROGRESS")
        associations = all_items(
            lattice,
            "list_service_network_service_associations",
            serviceIdentifier=service["id"],
        )
        self.assertEqual(associations[0]["serviceNetworkName"], "mesh")
        self.assertEqual(
            error_code(lattice.delete_service, serviceIdentifier=service["id"]),
            ("ConflictException", 409),
        )
        self.assertEqual(
            error_code(
                lattice.delete_service_network, serviceNetworkIdentifier=network["id"]
            ),
            ("ConflictException", 409),
        )

        # Target groups and targets.
        group = lattice.create_target_group(
            name="rates-default-80",
            type="IP",
            config={
                "port": 80,
                "protocol": "HTTP",
                "vpcIdentifier": "vpc-0a1b2c3d4e5f60001",
            },
        )
        self.assertEqual(group["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(group["status"], "CREATE_IN_PROGRESS")
        registered = lattice.register_targets(
            targetGroupIdentifier=group["id"],
            targets=[{"id": f"10.0.0.{i}", "port": 8080} for i in range(3)],
        )
        self.assertEqual(len(registered["successful"]), 3)
        self.assertEqual(registered["unsuccessful"], [])
        targets = all_items(lattice, "list_targets", targetGroupIdentifier=group["id"])
        self.assertEqual([t["id"] for t in targets], ["10.0.0.0", "10.0.0.1", "10.0.0.2"])
        lattice.deregister_targets(
            targetGroupIdentifier=group["id"], targets=[{"id": "10.0.0.0", "port": 8080}]
        )
        self.assertEqual(
            len(all_items(lattice, "list_targets", targetGroupIdentifier=group["id"])), 2
        )
        self.assertEqual(
            error_code(
                lattice.register_targets,
                targetGroupIdentifier=group["id"],
                targets=[{"id": f"10.0.1.{i}"} for i in range(101)],
            ),
            ("ValidationException", 400),
        )
        health = lattice.update_target_group(
            targetGroupIdentifier=group["id"], healthCheck={"enabled": True, "path": "/healthz"}
        )
        self.assertEqual(health["config"]["healthCheck"]["path"], "/healthz")

        # Listeners and rules.
        listener = lattice.create_listener(
            serviceIdentifier=service["id"],
            name="http",
            protocol="HTTP",
            port=80,
            defaultAction={"fixedResponse": {"statusCode": 404}},
        )
        self.assertEqual(listener["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(listener["serviceId"], service["id"])
        listeners = all_items(lattice, "list_listeners", serviceIdentifier=service["id"])
        self.assertEqual([item["port"] for item in listeners], [80])
        forward = {
            "forward": {
                "targetGroups": [{"targetGroupIdentifier": group["id"], "weight": 1}]
            }
        }
        lattice.update_listener(
            serviceIdentifier=service["id"],
            listenerIdentifier=listener["id"],
            defaultAction=forward,
        )
        read = lattice.get_listener(
            serviceIdentifier=service["id"], listenerIdentifier=listener["arn"]
        )
        self.assertIn("forward", read["defaultAction"])
        self.assertEqual(
            lattice.get_target_group(targetGroupIdentifier=group["id"])["serviceArns"],
            [service["arn"]],
        )
        groups = all_items(lattice, "list_target_groups")
        self.assertEqual(groups[0]["serviceArns"], [service["arn"]])
        rules = []
        for priority in (10, 20, 30):
            rule = lattice.create_rule(
                serviceIdentifier=service["id"],
                listenerIdentifier=listener["id"],
                name=f"rule{priority}",
                priority=priority,
                match={"httpMatch": {"pathMatch": {"match": {"prefix": f"/{priority}"}}}},
                action=forward,
            )
            self.assertEqual(rule["ResponseMetadata"]["HTTPStatusCode"], 201)
            rules.append(rule)
        listed_rules = all_items(
            lattice,
            "list_rules",
            serviceIdentifier=service["id"],
            listenerIdentifier=listener["id"],
        )
        self.assertEqual(
            [item["priority"] for item in listed_rules if not item["isDefault"]],
            [10, 20, 30],
        )
        self.assertTrue(listed_rules[-1]["isDefault"])
        self.assertEqual(
            error_code(
                lattice.create_rule,
                serviceIdentifier=service["id"],
                listenerIdentifier=listener["id"],
                name="zero",
                priority=0,
                match={"httpMatch": {"method": "GET"}},
                action=forward,
            ),
            ("ValidationException", 400),
        )
        moved = lattice.update_rule(
            serviceIdentifier=service["id"],
            listenerIdentifier=listener["id"],
            ruleIdentifier=rules[0]["id"],
            priority=15,
        )
        self.assertEqual(moved["priority"], 15)
        got = lattice.get_rule(
            serviceIdentifier=service["id"],
            listenerIdentifier=listener["id"],
            ruleIdentifier=rules[0]["arn"],
        )
        self.assertEqual(got["match"]["httpMatch"]["pathMatch"]["match"], {"prefix": "/10"})
        deleted = lattice.delete_rule(
            serviceIdentifier=service["id"],
            listenerIdentifier=listener["id"],
            ruleIdentifier=rules[2]["id"],
        )
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(
            error_code(
                lattice.delete_target_group, targetGroupIdentifier=group["id"]
            ),
            ("ConflictException", 409),
        )

        # Auth policies.
        self.assertNotIn("policy", lattice.get_auth_policy(resourceIdentifier=service["id"]))
        put = lattice.put_auth_policy(resourceIdentifier=service["arn"], policy=POLICY)
        self.assertEqual(put["policy"], POLICY)
        self.assertEqual(
            lattice.get_auth_policy(resourceIdentifier=service["id"])["policy"], POLICY
        )
        removed = lattice.delete_auth_policy(resourceIdentifier=service["id"])
        self.assertEqual(removed["ResponseMetadata"]["HTTPStatusCode"], 204)

        # Access log subscriptions.
        subscription = lattice.create_access_log_subscription(
            resourceIdentifier=network["id"], destinationArn="arn:aws:s3:::access-logs"
        )
        self.assertEqual(subscription["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(subscription["resourceArn"], network["arn"])
        subscriptions = all_items(
            lattice, "list_access_log_subscriptions", resourceIdentifier=network["arn"]
        )
        self.assertEqual([s["id"] for s in subscriptions], [subscription["id"]])
        lattice.delete_access_log_subscription(
            accessLogSubscriptionIdentifier=subscription["id"]
        )

        # Tags, on ARNs with slashes (URL-encoded into one path segment).
        for arn in (service["arn"], listener["arn"], group["arn"], network["arn"]):
            lattice.tag_resource(resourceArn=arn, tags={"owner": "trellis"})
            tags = lattice.list_tags_for_resource(resourceArn=arn)["tags"]
            self.assertEqual(tags["owner"], "trellis", arn)
        self.assertEqual(
            lattice.list_tags_for_resource(resourceArn=service["arn"])["tags"]["team"],
            "payments",
        )

        # Deletes.
        lattice.delete_listener(
            serviceIdentifier=service["id"], listenerIdentifier=listener["id"]
        )
        self.assertEqual(
            lattice.delete_target_group(targetGroupIdentifier=group["id"])["status"],
            "DELETE_IN_PROGRESS",
        )
        gone = lattice.delete_service_network_service_association(
            serviceNetworkServiceAssociationIdentifier=association["id"]
        )
        self.assertEqual(gone["status"], "DELETE_IN_PROGRESS")
        self.assertEqual(
            lattice.delete_service(serviceIdentifier=service["id"])["status"],
            "DELETE_IN_PROGRESS",
        )
        self.assertEqual(
            error_code(lattice.get_service, serviceIdentifier=service["id"]),
            ("ResourceNotFoundException", 404),
        )

        # The service network, once no VPC is associated with it either.
        self.assertEqual(
            error_code(
                lattice.delete_service_network, serviceNetworkIdentifier=network["id"]
            ),
            ("ConflictException", 409),
        )
        lattice.delete_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=vpc["id"]
        )
        removed = lattice.delete_service_network(serviceNetworkIdentifier=network["arn"])
        self.assertEqual(removed["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(
            error_code(
                lattice.get_service_network, serviceNetworkIdentifier=network["id"]
            ),
            ("ResourceNotFoundException", 404),
        )
        self.assertEqual(
            error_code(
                lattice.delete_service_network, serviceNetworkIdentifier=network["id"]
            ),
            ("ResourceNotFoundException", 404),
        )
        names = [item["name"] for item in all_items(lattice, "list_service_networks")]
        self.assertEqual(names, ["mesh-0", "mesh-1", "mesh-2"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: boto3_check.py http://127.0.0.1:PORT")
    ENDPOINT = sys.argv.pop(1)
    unittest.main(verbosity=2)
