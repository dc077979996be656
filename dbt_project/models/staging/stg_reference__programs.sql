with

source as (

    select * from {{ source('reference', 'programs') }}

),

final as (

    select
        program_code,
        program_name,
        program_kind,
        target_group
    from source

)

select * from final
